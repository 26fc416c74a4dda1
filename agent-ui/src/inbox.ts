import { LitElement, css, html } from 'lit';
import { departments, get, messageOf, post, type CaseView, type Department, type Me } from './api.ts';
import { timeLeft, when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { TickController, live } from './live.ts';
import { seesAllDepartments, worksCases } from './roles.ts';
import { base, pane } from './styles.ts';

/** A department works a case in these states (server/cases/lifecycle.ts). */
const HANDLER_STATES = ['dispatched', 'accepted', 'in_progress'];
/** The centre also watches the steps before and after the department's (every state but closed and merged). */
const CENTRE_STATES = ['received', 'dispatched', 'returned', 'accepted', 'in_progress', 'replied', 'callback'];
const MAX_PAGES = 5;
const REFRESH_MS = 60_000;

type Action = 'ACCEPT' | 'RETURN' | 'REQUEST_EXTENSION' | 'REPLY';
/** Which moves the lifecycle allows in which state; the server checks again. */
const ALLOWED: Record<Action, string[]> = {
  ACCEPT: ['dispatched'],
  RETURN: ['dispatched'],
  REQUEST_EXTENSION: ['accepted', 'in_progress'],
  REPLY: ['accepted', 'in_progress'],
};
const ACTION_LABEL: Record<Action, Key> = { ACCEPT: 'actionAccept', RETURN: 'actionReturn', REQUEST_EXTENSION: 'actionExtend', REPLY: 'actionReply' };
const ACTION_ID: Record<Action, string> = { ACCEPT: 'case-accept', RETURN: 'case-return', REQUEST_EXTENSION: 'case-extend', REPLY: 'case-reply' };
const STEP_LABEL: Record<string, Key> = { dispatch: 'stepDispatch', accept: 'stepAccept', reply: 'stepReply', callback: 'stepCallback' };
const TYPE_LABEL: Record<string, Key> = { 咨询: 'typeConsultation', 求助: 'typeHelp', 投诉: 'typeComplaint', 举报: 'typeReport', 建议: 'typeSuggestion' };

interface Dialog {
  caseId: string;
  action: Action;
  reason: string;
  days: string;
  note: string;
  error: string;
  busy: boolean;
}

const dueOf = (c: CaseView) => {
  const n = Date.parse(c.due?.at ?? '');
  return Number.isFinite(n) ? n : Infinity;
};

/** A department's cases, the most pressing first, with the moves a handler makes. */
export class CaseInbox extends LitElement {
  static override properties = {
    user: { attribute: false },
    cases: { state: true },
    loading: { state: true },
    error: { state: true },
    expanded: { state: true },
    dialog: { state: true },
    filter: { state: true },
    catalogue: { state: true },
  };
  static override styles = [
    base,
    pane,
    css`
      :host {
        height: 100%;
      }
      .bar {
        display: flex;
        align-items: center;
        gap: 10px;
        padding: 8px 14px;
        background: var(--panel);
        border-bottom: 1px solid var(--line);
      }
      .list {
        flex: 1;
        overflow-y: auto;
        min-height: 0;
        padding: 10px 14px;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      .case {
        background: var(--panel);
        border: 1px solid var(--line);
        border-radius: var(--radius);
      }
      .case[data-overdue='true'] {
        border-left: 4px solid var(--bad);
      }
      .summary {
        display: grid;
        grid-template-columns: 150px 70px minmax(0, 1fr) 80px 170px auto;
        gap: 10px;
        align-items: center;
        padding: 8px 12px;
        cursor: pointer;
      }
      .id {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .left {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .left.overdue {
        color: var(--bad);
        font-weight: 600;
      }
      .left.warn {
        color: var(--warn);
      }
      .cat {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .actions {
        display: flex;
        gap: 4px;
      }
      .actions button {
        padding: 2px 8px;
        font-size: 13px;
      }
      .detail {
        border-top: 1px dashed var(--line);
        padding: 8px 12px;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .dialog {
        border-top: 1px solid var(--line);
        background: #fafbfc;
        padding: 10px 12px;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      .dialog textarea {
        min-height: 80px;
      }
      .badge {
        justify-self: start;
      }
      .empty {
        color: var(--muted);
        padding: 20px;
        text-align: center;
      }
    `,
  ];

  declare user: Me;
  declare cases: CaseView[];
  declare loading: boolean;
  declare error: string;
  declare expanded: string | null;
  declare dialog: Dialog | null;
  /** Department filter for those who see all departments ('' = all). */
  declare filter: string;
  declare catalogue: Department[];
  private readonly tick = new TickController(this, 30_000);
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private reloadSoon: ReturnType<typeof setTimeout> | undefined;
  private loadSeq = 0;
  private readonly onCase = () => {
    // A burst of case changes (a deadline scan) becomes one reload.
    clearTimeout(this.reloadSoon);
    this.reloadSoon = setTimeout(() => void this.load(), 300);
  };

  constructor() {
    super();
    new LangController(this);
    this.cases = [];
    this.loading = false;
    this.error = '';
    this.expanded = null;
    this.dialog = null;
    this.filter = '';
    this.catalogue = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    live.addEventListener('case', this.onCase);
    this.refreshTimer = setInterval(() => void this.load(), REFRESH_MS);
    void this.load();
    departments().then(
      (d) => (this.catalogue = d.departments),
      () => undefined,
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    live.removeEventListener('case', this.onCase);
    clearInterval(this.refreshTimer);
    clearTimeout(this.reloadSoon);
  }

  private query(): string {
    const all = seesAllDepartments(this.user);
    const depts = all ? (this.filter ? [this.filter] : []) : this.user.departments;
    const q = new URLSearchParams({ state: (all ? CENTRE_STATES : HANDLER_STATES).join(','), limit: '200' });
    if (depts.length) q.set('department', depts.join(','));
    return q.toString();
  }

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    try {
      const out: CaseView[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r: { cases: CaseView[]; next: string | null } = await get(`/api/cases?${this.query()}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        out.push(...r.cases);
        cursor = r.next;
        if (!cursor) break;
      }
      if (seq !== this.loadSeq) return;
      this.cases = out;
      this.error = '';
    } catch (err) {
      if (seq === this.loadSeq) this.error = messageOf(err);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  private open(c: CaseView, action: Action): void {
    if (action === 'ACCEPT') {
      void this.move(c, { type: 'ACCEPT' });
      return;
    }
    this.expanded = c.id;
    this.dialog = { caseId: c.id, action, reason: '', days: '5', note: '', error: '', busy: false };
  }

  private async move(c: CaseView, body: Record<string, unknown>, d?: Dialog): Promise<void> {
    if (d) {
      d.busy = true;
      this.requestUpdate();
    }
    try {
      const r = await post<{ case: CaseView }>(`/api/cases/${encodeURIComponent(c.id)}/events`, body, { headers: { 'If-Match': String(c.version) } });
      this.cases = this.cases.map((x) => (x.id === c.id ? r.case : x));
      if (d) this.dialog = null;
      this.error = '';
      void this.load();
    } catch (err) {
      if (d) {
        d.error = messageOf(err);
        d.busy = false;
        this.requestUpdate();
      } else this.error = `${c.id}: ${messageOf(err)}`;
      // Someone else moved it first: show what it is now.
      void this.load();
    }
  }

  private confirm(c: CaseView): void {
    const d = this.dialog;
    if (!d || d.busy) return;
    d.error = '';
    if (d.action === 'RETURN') {
      if (!d.reason.trim()) d.error = `${t('reason')}: ${t('required')}`;
      else void this.move(c, { type: 'RETURN', reason: d.reason.trim() }, d);
    } else if (d.action === 'REQUEST_EXTENSION') {
      const days = Number(d.days);
      if (!d.reason.trim()) d.error = `${t('reason')}: ${t('required')}`;
      else if (!Number.isInteger(days) || days < 1 || days > 60) d.error = t('daysRange');
      else void this.move(c, { type: 'REQUEST_EXTENSION', reason: d.reason.trim(), workingDays: days }, d);
    } else if (d.action === 'REPLY') {
      if (!d.note.trim()) d.error = `${t('note')}: ${t('required')}`;
      else void this.move(c, { type: 'REPLY', note: d.note.trim() }, d);
    }
    this.requestUpdate();
  }

  private field(key: 'reason' | 'days' | 'note') {
    return (e: Event) => {
      if (!this.dialog) return;
      this.dialog[key] = (e.target as HTMLInputElement).value;
    };
  }

  private deptName(code: string | null): string {
    if (!code) return '—';
    return this.catalogue.find((d) => d.code === code)?.name ?? code;
  }

  private renderDialog(c: CaseView, d: Dialog) {
    return html`
      <div class="dialog" data-testid="case-dialog" data-action=${d.action}>
        <strong>${t(ACTION_LABEL[d.action])} · ${c.id}</strong>
        ${d.action === 'RETURN' || d.action === 'REQUEST_EXTENSION'
          ? html`<label class="field"
              >${t('reason')} *
              <input data-testid="case-reason" .value=${d.reason} @input=${this.field('reason')} maxlength="2000" />
            </label>`
          : ''}
        ${d.action === 'REQUEST_EXTENSION'
          ? html`<label class="field" style="max-width:200px"
              >${t('workingDays')}
              <input data-testid="case-days" type="number" min="1" max="60" step="1" .value=${d.days} @input=${this.field('days')} />
            </label>`
          : ''}
        ${d.action === 'REPLY'
          ? html`<label class="field"
              >${t('note')} *
              <textarea data-testid="case-note" .value=${d.note} @input=${this.field('note')} maxlength="2000"></textarea>
            </label>`
          : ''}
        ${d.error ? html`<div class="error" data-testid="case-action-error" role="alert">${d.error}</div>` : ''}
        <div class="row">
          <button class="primary" data-testid="case-confirm" ?disabled=${d.busy} @click=${() => this.confirm(c)}>${t('confirm')}</button>
          <button data-testid="case-cancel" @click=${() => (this.dialog = null)}>${t('cancel')}</button>
        </div>
      </div>
    `;
  }

  private renderCase(c: CaseView, now: number) {
    const left = timeLeft(c.due?.at, now);
    const warn = !left.overdue && c.due?.warnAt ? Date.parse(c.due.warnAt) <= now : false;
    const mayWork = worksCases(this.user);
    const open = this.expanded === c.id;
    return html`
      <div class="case" data-testid="inbox-case" data-case-id=${c.id} data-state=${c.state} data-overdue=${left.overdue ? 'true' : 'false'}>
        <div class="summary" @click=${() => (this.expanded = open ? null : c.id)} aria-expanded=${open ? 'true' : 'false'}>
          <span class="id">${c.id}</span>
          <span>${TYPE_LABEL[c.type] ? t(TYPE_LABEL[c.type]!) : c.type}${c.urgency === 'urgent' ? html` <span class="badge bad">${t('urgent')}</span>` : ''}</span>
          <span class="cat" title=${c.category}>${c.category}<span class="muted small"> · ${this.deptName(c.department)}</span></span>
          <span class="badge grey">${c.stateName || c.state}</span>
          <span
            class="left ${left.overdue ? 'overdue' : warn ? 'warn' : ''}"
            data-testid="time-left"
            title=${c.due ? `${t('dueStep', { s: STEP_LABEL[c.due.step] ? t(STEP_LABEL[c.due.step]!) : c.due.step })} · ${when(c.due.at)}` : ''}
            >${left.text}</span
          >
          <span class="actions" @click=${(e: Event) => e.stopPropagation()}>
            ${(Object.keys(ALLOWED) as Action[]).map((a) => {
              const waiting = c.pendingExtension != null && (a === 'REPLY' || a === 'REQUEST_EXTENSION');
              const allowed = ALLOWED[a].includes(c.state) && !waiting;
              return html`<button
                data-testid=${ACTION_ID[a]}
                ?disabled=${!allowed || !mayWork}
                title=${!mayWork ? t('noRole') : !allowed ? t('notAllowedHere') : t(ACTION_LABEL[a])}
                @click=${() => this.open(c, a)}
              >
                ${t(ACTION_LABEL[a])}
              </button>`;
            })}
          </span>
        </div>
        ${open
          ? html`<div class="detail">
              <div class="pre">${c.description}</div>
              <div class="row small muted">
                <span>${t('caller')}: ${c.caller.phone}${c.caller.name ? ` (${c.caller.name})` : ''}</span>
                ${c.district ? html`<span>${t('district')}: ${c.district}</span>` : ''}
                ${c.address ? html`<span>${t('address')}: ${c.address}</span>` : ''}
                <span>${t('createdAt', { t: when(c.createdAt) })}</span>
                ${c.due ? html`<span>${t('dueStep', { s: STEP_LABEL[c.due.step] ? t(STEP_LABEL[c.due.step]!) : c.due.step })} · ${when(c.due.at)}</span>` : ''}
              </div>
            </div>`
          : ''}
        ${this.dialog?.caseId === c.id ? this.renderDialog(c, this.dialog) : ''}
      </div>
    `;
  }

  override render() {
    const now = this.tick.now;
    // Overdue first (the earliest deadline is the most overdue), then by time left; no deadline last.
    const sorted = [...this.cases].sort((a, b) => dueOf(a) - dueOf(b) || a.createdAt.localeCompare(b.createdAt));
    return html`
      <div class="bar">
        <h2 style="margin:0">${t('inboxTitle')}</h2>
        <span class="badge grey">${sorted.length}</span>
        ${seesAllDepartments(this.user)
          ? html`<select
              data-testid="inbox-department"
              .value=${this.filter}
              @change=${(e: Event) => {
                this.filter = (e.target as HTMLSelectElement).value;
                void this.load();
              }}
            >
              <option value="">${t('allDepartments')}</option>
              ${this.catalogue.map((d) => html`<option value=${d.code} ?selected=${d.code === this.filter}>${d.name}</option>`)}
            </select>`
          : html`<span class="small muted">${this.user.departments.map((d) => this.deptName(d)).join('、')}</span>`}
        <span class="grow"></span>
        ${this.loading ? html`<span class="small muted">${t('loading')}</span>` : ''}
        <button data-testid="inbox-refresh" @click=${() => void this.load()}>${t('refresh')}</button>
      </div>
      ${this.error ? html`<div class="error" style="padding:6px 14px" role="alert" data-testid="inbox-error">${this.error}</div>` : ''}
      <div class="list" data-testid="inbox">
        ${sorted.length ? sorted.map((c) => this.renderCase(c, now)) : html`<div class="empty">${this.loading ? t('loading') : t('noCases')}</div>`}
      </div>
    `;
  }
}
customElements.define('case-inbox', CaseInbox);

declare global {
  interface HTMLElementTagNameMap {
    'case-inbox': CaseInbox;
  }
}
