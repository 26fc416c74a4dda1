import { LitElement, css, html } from 'lit';
import { ApiError, get, messageOf, type CaseView } from './api.ts';
import { when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { channelName, stepName, type DeptName } from './report-common.ts';
import { base, dialogStyles, facts } from './styles.ts';

/** One entry of a case's history (GET /api/cases/:id/events): who, when, what, and the move's own fields. */
interface CaseEventView {
  type: string;
  by: string;
  at: string;
  reason?: string;
  note?: string;
  department?: string;
  workingDays?: number;
  rating?: string;
  satisfied?: boolean;
  master?: string;
}

const EVENT_LABEL: Record<string, Key> = {
  CREATE: 'evCreate',
  DISPATCH: 'evDispatch',
  RETURN: 'evReturn',
  REDISPATCH: 'evRedispatch',
  ACCEPT: 'evAccept',
  START: 'evStart',
  REQUEST_EXTENSION: 'evRequestExtension',
  APPROVE_EXTENSION: 'evApproveExtension',
  REJECT_EXTENSION: 'evRejectExtension',
  SUPERVISE: 'evSupervise',
  REPLY: 'evReply',
  CALLBACK: 'evCallback',
  CLOSE: 'evClose',
  REOPEN: 'evReopen',
  MERGE: 'evMerge',
};
const RATING_LABEL: Record<string, Key> = { satisfied: 'surveySatisfied', basic: 'surveyBasic', dissatisfied: 'surveyDissatisfied' };
const TYPE_LABEL: Record<string, Key> = { 咨询: 'typeConsultation', 求助: 'typeHelp', 投诉: 'typeComplaint', 举报: 'typeReport', 建议: 'typeSuggestion' };

/**
 * A case by its id, read-only: its fields and its history. The panel has no page per case, so
 * the report's case numbers open this (a handler sees only their departments' cases: the server
 * answers 404 for the others).
 */
export class CaseDialog extends LitElement {
  static override properties = {
    caseId: { attribute: false },
    dept: { attribute: false },
    view: { state: true },
    events: { state: true },
    error: { state: true },
  };
  static override styles = [
    base,
    facts,
    dialogStyles,
    css`
      li {
        padding: 3px 0;
      }
    `,
  ];
  declare caseId: string | null;
  declare dept: DeptName;
  declare view: CaseView | null;
  declare events: CaseEventView[];
  declare error: string;
  private seq = 0;

  constructor() {
    super();
    new LangController(this);
    this.caseId = null;
    this.dept = (c) => c ?? '—';
    this.view = null;
    this.events = [];
    this.error = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('caseId')) void this.load();
  }

  protected override updated(): void {
    const d = this.renderRoot.querySelector('dialog');
    if (d && this.caseId && !d.open) d.showModal();
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.view = null;
    this.events = [];
    this.error = '';
    const id = this.caseId;
    if (!id) return;
    try {
      const path = `/api/cases/${encodeURIComponent(id)}`;
      const [c, h] = await Promise.all([get<{ case: CaseView }>(path), get<{ events: CaseEventView[] }>(`${path}/events`)]);
      if (seq !== this.seq) return;
      this.view = c.case;
      this.events = h.events;
    } catch (err) {
      // A case outside a handler's departments does not exist for them: say so in their words.
      if (seq === this.seq) this.error = err instanceof ApiError && err.status === 404 ? t('caseNotVisible') : messageOf(err);
    }
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent('close'));
  }

  private detail(e: CaseEventView): string {
    const bits: string[] = [];
    if (e.department) bits.push(this.dept(e.department));
    if (e.workingDays) bits.push(t('workingDaysN', { n: e.workingDays }));
    if (e.rating && RATING_LABEL[e.rating]) bits.push(t(RATING_LABEL[e.rating]!));
    else if (e.type === 'CALLBACK' && e.satisfied !== undefined) bits.push(t(e.satisfied ? 'surveySatisfied' : 'surveyDissatisfied'));
    if (e.master) bits.push(e.master);
    if (e.reason) bits.push(`${t('reason')}: ${e.reason}`);
    if (e.note) bits.push(e.note);
    return bits.join(' · ');
  }

  override render() {
    if (!this.caseId) return '';
    const c = this.view;
    return html`
      <dialog data-testid="case-view" data-case-id=${this.caseId} @close=${() => this.close()} @cancel=${() => this.close()}>
        <div class="head">
          <h2 style="margin:0">${t('caseTitle', { id: this.caseId })}</h2>
          ${c ? html`<span class="badge grey" data-testid="case-view-state">${c.stateName || c.state}</span>` : ''}
          <span class="grow"></span>
          <button data-testid="case-view-close" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('close')}</button>
        </div>
        <div class="body">
          ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
          ${!c && !this.error ? html`<div class="muted">${t('loading')}</div>` : ''}
          ${c
            ? html`
                <div class="facts">
                  <span>${t('caseType')} <b>${TYPE_LABEL[c.type] ? t(TYPE_LABEL[c.type]!) : c.type}</b></span>
                  <span>${t('category')} <b>${c.category}</b></span>
                  <span>${t('department')} <b>${this.dept(c.department)}</b></span>
                  <span>${t('district')} <b>${c.district ?? '—'}</b></span>
                  ${c.address ? html`<span>${t('address')} <b>${c.address}</b></span>` : ''}
                  <span>${t('channel')} <b>${channelName(c.channel ?? '')}</b></span>
                  <span>${t('caller')} <b>${c.caller.phone}${c.caller.name ? ` (${c.caller.name})` : ''}</b></span>
                  ${c.urgency === 'urgent' ? html`<span class="badge bad">${t('urgent')}</span>` : ''}
                  <span>${t('createdAt', { t: when(c.createdAt) })}</span>
                  ${c.due ? html`<span>${t('dueStep', { s: stepName(c.due.step) })} <b>${when(c.due.at)}</b></span>` : ''}
                  ${c.callSid ? html`<span>${t('callSid')} <b class="small">${c.callSid}</b></span>` : ''}
                </div>
                <div class="pre">${c.description}</div>
                <h3>${t('caseHistory')}</h3>
                <ol data-testid="case-history">
                  ${this.events.map(
                    (e) => html`<li data-type=${e.type}>
                      <span class="at">${when(e.at)}</span><b>${EVENT_LABEL[e.type] ? t(EVENT_LABEL[e.type]!) : e.type}</b>
                      <span class="muted small">${t('byWhom', { u: e.by })}</span>
                      ${this.detail(e) ? html`<div class="small">${this.detail(e)}</div>` : ''}
                    </li>`,
                  )}
                </ol>
              `
            : ''}
        </div>
      </dialog>
    `;
  }
}
customElements.define('case-dialog', CaseDialog);

declare global {
  interface HTMLElementTagNameMap {
    'case-dialog': CaseDialog;
  }
}
