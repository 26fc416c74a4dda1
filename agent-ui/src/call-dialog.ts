import { LitElement, html } from 'lit';
import { ApiError, get, messageOf } from './api.ts';
import { when } from './format.ts';
import { LangController, t } from './i18n.ts';
import { channelName } from './report-common.ts';
import { base, dialogStyles, facts } from './styles.ts';
import type { LiveEvent } from '../../server/assist/protocol.ts';

/** GET /api/calls/:sid/record: a past call or text conversation. */
interface ContactRecord {
  contact: { sid: string; channel: string; from: string; startedAt: string; endedAt: string | null; outcome: string | null; path: string[] };
  answers: Array<{ question: string; articleId: string | null; title?: string; decision: string; at: string }>;
  events: LiveEvent[];
}

/** What a live event says in one line, for the record of a past call. */
function line(e: LiveEvent): string | undefined {
  switch (e.type) {
    case 'call.transcript':
      return e.final ? `${e.track === 'caller' ? t('callerSaid') : t('agentSaid')}: ${e.text}` : undefined;
    case 'call.handed_off':
      return `${t('handedOffTo')} ${e.target}`;
    case 'call.assigned':
      return `${t('takenBy')} ${e.agent}`;
    case 'call.ended':
      return `${t('endedAs')} ${e.outcome}`;
    default:
      return undefined;
  }
}

/** A call or text conversation behind a report's figure, read-only: its course, answers and words. */
export class CallDialog extends LitElement {
  static override properties = { callSid: { attribute: false }, record: { state: true }, error: { state: true } };
  static override styles = [base, facts, dialogStyles];
  declare callSid: string | null;
  declare record: ContactRecord | null;
  declare error: string;
  private seq = 0;

  constructor() {
    super();
    new LangController(this);
    this.callSid = null;
    this.record = null;
    this.error = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('callSid')) void this.load();
  }

  protected override updated(): void {
    const d = this.renderRoot.querySelector('dialog');
    if (d && this.callSid && !d.open) d.showModal();
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.record = null;
    this.error = '';
    if (!this.callSid) return;
    try {
      const r = await get<ContactRecord>(`/api/calls/${encodeURIComponent(this.callSid)}/record`);
      if (seq === this.seq) this.record = r;
    } catch (err) {
      if (seq === this.seq) this.error = err instanceof ApiError && err.status === 404 ? t('callNotFound') : messageOf(err);
    }
  }

  override render() {
    if (!this.callSid) return '';
    const r = this.record;
    const lines = r ? r.events.map((e) => [e, line(e)] as const).filter(([, l]) => l) : [];
    return html`
      <dialog data-testid="call-record" data-call-sid=${this.callSid} @close=${() => this.dispatchEvent(new CustomEvent('close'))}>
        <div class="head">
          <h2 style="margin:0" class="mono">${this.callSid}</h2>
          <span class="grow"></span>
          <button data-testid="call-record-close" @click=${() => this.renderRoot.querySelector('dialog')?.close()}>${t('close')}</button>
        </div>
        <div class="body">
          ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
          ${!r && !this.error ? html`<div class="muted">${t('loading')}</div>` : ''}
          ${r
            ? html`
                <div class="facts">
                  <span>${t('channel')} <b>${channelName(r.contact.channel)}</b></span>
                  <span>${t('caller')} <b>${r.contact.from}</b></span>
                  <span>${when(r.contact.startedAt)}${r.contact.endedAt ? ` – ${when(r.contact.endedAt)}` : ''}</span>
                  <span>${t('endedAs')} <b data-testid="call-record-outcome">${r.contact.outcome ?? '—'}</b></span>
                </div>
                <div class="small" data-testid="call-record-path">${r.contact.path.join(' → ')}</div>
                <h3>${t('kbAnswers')}</h3>
                <ol data-testid="call-record-answers">
                  ${r.answers.length
                    ? r.answers.map((a) => html`<li><span class="at">${when(a.at)}</span>${a.question} → <b>${a.title ?? a.decision}</b></li>`)
                    : html`<li class="muted">—</li>`}
                </ol>
                ${lines.length ? html`<ol>${lines.map(([e, l]) => html`<li><span class="at">${when(e.at)}</span>${l}</li>`)}</ol>` : ''}
              `
            : ''}
        </div>
      </dialog>
    `;
  }
}
customElements.define('call-dialog', CallDialog);
