import { LitElement, css, html, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { CallView as Call, Suggestion } from '../../server/assist/protocol.ts';
import { messageOf, post } from './api.ts';
import './article-view.ts';
import './case-form.ts';
import type { CaseSeed } from './case-form.ts';
import { clock, langName, percent, score, when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { LiveController, TickController, live } from './live.ts';
import { phone } from './phone.ts';
import { sendArticleSms } from './suggestion-card.ts';
import { base, pane, facts } from './styles.ts';

interface CallUi {
  /** The article the agent last opened or clicked. */
  focus?: string;
  /** The article shown in full (one at a time); `answer:` prefixes an answer's. */
  open?: string;
  take: 'idle' | 'busy' | 'done';
  /** What the case form was opened with: fixed then, so later suggestions do not rewrite it. */
  seed?: CaseSeed;
  takeNote?: Key;
  takeError?: string;
  form: boolean;
}

const uis = new Map<string, CallUi>();
function uiOf(sid: string): CallUi {
  let u = uis.get(sid);
  if (!u) {
    u = { take: 'idle', form: false };
    uis.set(sid, u);
  }
  return u;
}

const STATUS: Record<Call['status'], Key> = { menu: 'statusMenu', queued: 'statusQueued', with_agent: 'statusWithAgent', ended: 'statusEnded' };

type ShownSuggestion = Suggestion & { at: string; query: string };

/** Latest first, each article once (the server suggests the same article again as the caller goes on). */
function distinctSuggestions(c: Call): ShownSuggestion[] {
  const seen = new Set<string>();
  return c.suggestions.filter((s) => !seen.has(s.id) && seen.add(s.id));
}

/** The selected call: who, where they went in the menu, what they said, and what to answer. */
export class CallPane extends LitElement {
  static override properties = {
    callSid: { attribute: 'call-sid' },
    me: {},
  };
  static override styles = [
    base,
    pane,
    facts,
    css`
      :host {
        min-width: 0;
      }
      .wrap {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      .empty {
        margin: auto;
        color: var(--muted);
      }
      .head {
        background: var(--panel);
        border-bottom: 1px solid var(--line);
        padding: 8px 14px;
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      .caller {
        font-size: 18px;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
      }
      .cols {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      }
      .col {
        overflow-y: auto;
        min-height: 0;
        padding: 10px 14px;
        display: flex;
        flex-direction: column;
        gap: 14px;
      }
      .col + .col {
        border-left: 1px solid var(--line);
      }
      section > ol,
      section > ul {
        margin: 0;
        padding: 0;
        list-style: none;
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      .step {
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
        font-size: 13px;
        padding: 3px 0;
        border-bottom: 1px dashed var(--line);
      }
      .step .state {
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 12px;
      }
      .answer {
        cursor: pointer;
        padding: 6px 8px;
        border: 1px solid var(--line);
        border-radius: var(--radius);
        background: var(--panel);
      }
      .answer[data-focused='true'] {
        border-color: var(--accent);
      }
      .transcript {
        display: flex;
        flex-direction: column;
        gap: 4px;
        max-height: 320px;
        overflow-y: auto;
        padding-right: 4px;
      }
      .line {
        max-width: 85%;
        padding: 4px 8px;
        border-radius: 8px;
        background: #eef1f4;
        overflow-wrap: anywhere;
      }
      .line[data-track='agent'] {
        align-self: flex-end;
        background: var(--accent-soft);
      }
      .line.partial {
        opacity: 0.6;
        font-style: italic;
      }
      .who {
        font-size: 11px;
        color: var(--muted);
        margin-right: 6px;
      }
      .suggestions {
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      .note {
        font-size: 12px;
      }
    `,
  ];

  declare callSid: string | null;
  declare me: string;
  private readonly tick = new TickController(this, 1000);
  private stickToBottom = true;

  constructor() {
    super();
    new LangController(this);
    new LiveController(this);
    this.callSid = null;
    this.me = '';
  }

  private get call(): Call | undefined {
    return this.callSid ? live.calls.get(this.callSid) : undefined;
  }

  /** The article a case or Alt+S is about: the one last opened or clicked, else the top suggestion, else the last answer. */
  focusOf(c: Call): CaseSeed & { suggestion?: ShownSuggestion } {
    const ui = uiOf(c.callSid);
    const suggestions = distinctSuggestions(c);
    const lastAnswer = [...c.answers].reverse().find((a) => a.articleId);
    const id = ui.focus ?? suggestions[0]?.id ?? lastAnswer?.articleId ?? undefined;
    if (!id) return {};
    const s = suggestions.find((x) => x.id === id);
    return s ? { articleId: id, category: s.category, departmentName: s.department, suggestion: s } : { articleId: id };
  }

  private setFocus(id: string): void {
    if (!this.callSid) return;
    uiOf(this.callSid).focus = id;
    this.requestUpdate();
  }

  private toggle(key: string): void {
    if (!this.callSid) return;
    const ui = uiOf(this.callSid);
    ui.open = ui.open === key ? undefined : key;
    this.requestUpdate();
  }

  /** Alt+T and the button: move a queued call to this agent's browser phone. */
  async takeOver(): Promise<void> {
    const c = this.call;
    if (!c || c.status !== 'queued') return;
    const ui = uiOf(c.callSid);
    if (ui.take === 'busy') return;
    ui.take = 'busy';
    ui.takeError = undefined;
    ui.takeNote = undefined;
    this.requestUpdate();
    // Registering takes a moment; start now so the Device is listening when the call is put through.
    const phoneReady = phone.connect();
    try {
      const r = await post<{ callSid: string; agent: string; identity: string }>(`/api/calls/${encodeURIComponent(c.callSid)}/take`);
      phone.expect(c.callSid, r.identity);
      live.markTaken(c.callSid, r.agent || this.me);
      ui.take = 'done';
      ui.takeNote = 'takenOver';
      this.dispatchEvent(new CustomEvent('taken', { detail: c.callSid, bubbles: true, composed: true }));
      this.requestUpdate();
      ui.takeNote = (await phoneReady) ? 'takeRinging' : 'takeNoPhone';
    } catch (err) {
      ui.take = 'idle';
      ui.takeError = messageOf(err);
    }
    this.requestUpdate();
  }

  /** Alt+S: text the article in focus to the caller. */
  sendFocused(): void {
    const c = this.call;
    if (!c) return;
    const f = this.focusOf(c);
    if (f.articleId) void sendArticleSms(c, f.articleId);
  }

  /** Alt+C. */
  openCaseForm(): void {
    const c = this.call;
    if (!c) return;
    const ui = uiOf(c.callSid);
    if (!ui.form) ui.seed = this.focusOf(c);
    ui.form = true;
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('callSid')) this.stickToBottom = true;
  }

  protected override updated(): void {
    const box = this.renderRoot.querySelector<HTMLElement>('.transcript');
    if (box && this.stickToBottom) box.scrollTop = box.scrollHeight;
  }

  private onTranscriptScroll(e: Event): void {
    const box = e.target as HTMLElement;
    // Follow new lines only while the agent has not scrolled up to read.
    this.stickToBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
  }

  private renderHead(c: Call) {
    const ui = uiOf(c.callSid);
    const waited = c.queue ? this.tick.now - (Date.parse(c.queue.since) || this.tick.now) : 0;
    return html`
      <div class="head">
        <div class="row">
          <span class="caller" data-testid="call-caller">${c.from || '—'}</span>
          <span class="badge ${c.status === 'ended' ? 'grey' : c.status === 'queued' ? 'warn' : c.status === 'with_agent' ? 'ok' : ''}">${t(STATUS[c.status])}</span>
          <span class="grow"></span>
          ${c.status === 'queued'
            ? html`<button class="primary" data-testid="take-over" title="Alt+T" ?disabled=${ui.take === 'busy'} @click=${() => void this.takeOver()}>
                ${ui.take === 'busy' ? t('takingOver') : t('takeOver')}
              </button>`
            : ''}
          <button data-testid="create-case" title="Alt+C" @click=${() => this.openCaseForm()}>${t('createCase')}</button>
        </div>
        <div class="facts">
          <span>${t('language')}: <b data-testid="call-lang" data-lang=${c.lang}>${langName(c.lang)}</b></span>
          <span>${t('channel')}: <b>${c.channel === 'sms' ? t('channelSms') : t('channelVoice')}</b></span>
          <span>${t('flow')}: <b>${c.flow || '—'}</b></span>
          <span>${t('started')}: <b>${when(c.startedAt)}</b></span>
          ${c.queue
            ? html`<span
                >${c.queue.name}${c.queue.position !== undefined ? html` · ${t('position', { n: c.queue.position })}` : ''}${c.status === 'queued'
                  ? html` · ${t('waiting', { t: clock(waited) })}`
                  : ''}</span
              >`
            : ''}
          ${c.agent ? html`<span>${t('agent')}: <b>${c.agent}</b></span>` : ''}
          ${c.status === 'ended' ? html`<span>${t('callEnded', { o: c.outcome ?? '' })}</span>` : ''}
        </div>
        ${ui.takeError ? html`<div class="note error" data-testid="take-error" role="alert">${ui.takeError}</div>` : ''}
        ${ui.takeNote ? html`<div class="note ${ui.takeNote === 'takeNoPhone' ? 'error' : 'ok'}" data-testid="take-note" role="status">${t(ui.takeNote)}</div>` : ''}
      </div>
    `;
  }

  private renderPath(c: Call) {
    return html`
      <section>
        <h3>${t('path')}</h3>
        ${c.path.length
          ? html`<ol data-testid="call-path">
              ${c.path.map(
                (p) => html`<li class="step" data-testid="path-step">
                  <span class="state">${p.state}</span>
                  ${p.digits ? html`<span>${t('pressed', { d: p.digits })}</span>` : ''}
                  ${p.speech ? html`<span>${t('said', { s: p.speech })}</span>` : ''}
                  ${p.confidence !== undefined ? html`<span class="muted">${t('confidence', { p: percent(p.confidence) })}</span>` : ''}
                  <span class="muted small">${when(p.at)}</span>
                </li>`,
              )}
            </ol>`
          : html`<div class="muted small" data-testid="call-path">${t('noPath')}</div>`}
      </section>
    `;
  }

  private renderAnswers(c: Call, focus: string | undefined) {
    const ui = uiOf(c.callSid);
    return html`
      <section>
        <h3>${t('answers')}</h3>
        ${c.answers.length
          ? html`<ul>
              ${c.answers.map((a, i) => {
                const key = `answer:${i}`;
                return html`<li
                  class="answer"
                  data-testid="answer"
                  data-article-id=${a.articleId ?? ''}
                  data-focused=${a.articleId !== null && a.articleId === focus ? 'true' : 'false'}
                  @click=${() => {
                    if (!a.articleId) return;
                    this.setFocus(a.articleId);
                    this.toggle(key);
                  }}
                >
                  <div class="row">
                    <span class="grow">${a.title ?? (a.articleId ? a.articleId : t('noArticle'))}</span>
                    <span class="badge grey">${a.decision}</span>
                    <span class="badge grey">${t('score', { p: score(a.score) })}</span>
                  </div>
                  <div class="small muted">“${a.question}” · ${when(a.at)}</div>
                  ${ui.open === key && a.articleId ? html`<article-view article-id=${a.articleId}></article-view>` : ''}
                </li>`;
              })}
            </ul>`
          : html`<div class="muted small">${t('noAnswers')}</div>`}
      </section>
    `;
  }

  private renderTranscript(c: Call) {
    // Finished lines, and per speaker the sentence still being spoken if it came after their last finished one.
    const lines = c.transcript.filter((l) => l.final);
    const partials = (['caller', 'agent'] as const)
      .map((track) => {
        const all = c.transcript.filter((l) => l.track === track);
        const last = all[all.length - 1];
        return last && !last.final ? last : undefined;
      })
      .filter((l) => l !== undefined);
    return html`
      <section>
        <h3>${t('transcript')}</h3>
        <div class="transcript" data-testid="transcript" @scroll=${this.onTranscriptScroll}>
          ${lines.length || partials.length
            ? html`${lines.map(
                (l) => html`<div class="line" data-testid="transcript-line" data-track=${l.track}>
                  <span class="who">${l.track === 'caller' ? t('trackCaller') : t('trackAgent')}</span>${l.text}
                </div>`,
              )}
              ${partials.map(
                (l) => html`<div class="line partial" data-testid="transcript-partial" data-track=${l.track}>
                  <span class="who">${l.track === 'caller' ? t('trackCaller') : t('trackAgent')}</span>${l.text}
                </div>`,
              )}`
            : html`<div class="muted small">${t('noTranscript')}</div>`}
        </div>
      </section>
    `;
  }

  private renderSuggestions(c: Call, focus: string | undefined) {
    const ui = uiOf(c.callSid);
    const list = distinctSuggestions(c);
    return html`
      <section>
        <h3>${t('suggestions')}</h3>
        <div class="suggestions" @focus-article=${(e: CustomEvent<string>) => this.setFocus(e.detail)} @toggle-article=${(e: CustomEvent<string>) => this.toggle(e.detail)}>
          ${list.length
            ? repeat(
                list,
                (s) => `${c.callSid}|${s.id}`,
                (s) => html`<suggestion-card .suggestion=${s} .call=${c} ?focused=${s.id === focus} ?open=${ui.open === s.id}></suggestion-card>`,
              )
            : html`<div class="muted small">${t('noSuggestions')}</div>`}
        </div>
      </section>
    `;
  }

  override render() {
    const c = this.call;
    if (!c) return html`<div class="empty">${t('selectCall')}</div>`;
    const ui = uiOf(c.callSid);
    const focus = this.focusOf(c);
    return html`
      <div class="wrap" data-testid="call-view" data-call-sid=${c.callSid} data-status=${c.status}>
        ${this.renderHead(c)}
        <div class="cols">
          <div class="col">${this.renderPath(c)} ${this.renderAnswers(c, focus.articleId)} ${this.renderTranscript(c)}</div>
          <div class="col">
            ${ui.form
              ? html`<case-form
                  .call=${c}
                  .seed=${ui.seed ?? focus}
                  @close=${() => {
                    ui.form = false;
                    this.requestUpdate();
                  }}
                ></case-form>`
              : this.renderSuggestions(c, focus.articleId)}
          </div>
        </div>
      </div>
    `;
  }
}
customElements.define('call-view', CallPane);

declare global {
  interface HTMLElementTagNameMap {
    'call-view': CallPane;
  }
}
