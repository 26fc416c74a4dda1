import { LitElement, css, html } from 'lit';
import type { CallView, Suggestion } from '../../server/assist/protocol.ts';
import { messageOf, post } from './api.ts';
import './article-view.ts';
import { score, smsLang } from './format.ts';
import { LangController, t } from './i18n.ts';
import { base } from './styles.ts';

type Shown = Suggestion & { query?: string };

interface CardState {
  sms: 'idle' | 'sending' | 'sent';
  smsTo?: string;
  feedback: 'none' | 'sending' | 'helpful' | 'unhelpful';
  error: string;
}

/** Per call and article, so what was sent or rated survives switching between calls. */
const states = new Map<string, CardState>();
const bus = new EventTarget();

function stateOf(callSid: string, articleId: string): CardState {
  const key = `${callSid}|${articleId}`;
  let s = states.get(key);
  if (!s) {
    s = { sms: 'idle', feedback: 'none', error: '' };
    states.set(key, s);
  }
  return s;
}

const changed = () => bus.dispatchEvent(new Event('change'));

/** Texts the article to the caller in the call's language. Shared by the button and Alt+S. */
export async function sendArticleSms(call: CallView, articleId: string): Promise<void> {
  const s = stateOf(call.callSid, articleId);
  if (s.sms === 'sending' || !call.from) return;
  s.sms = 'sending';
  s.error = '';
  changed();
  try {
    await post(`/api/knowledge/${encodeURIComponent(articleId)}/send`, { channel: 'sms', to: call.from, lang: smsLang(call.lang) });
    s.sms = 'sent';
    s.smsTo = call.from;
  } catch (err) {
    s.sms = 'idle';
    s.error = messageOf(err);
  }
  changed();
}

async function sendFeedback(callSid: string, articleId: string, helpful: boolean, query: string): Promise<void> {
  const s = stateOf(callSid, articleId);
  if (s.feedback === 'sending') return;
  s.feedback = 'sending';
  s.error = '';
  changed();
  try {
    await post('/api/assist/feedback', { callSid, articleId, helpful, query });
    s.feedback = helpful ? 'helpful' : 'unhelpful';
  } catch (err) {
    s.feedback = 'none';
    s.error = messageOf(err);
  }
  changed();
}

/** A suggested article: its voice answer to read out, the full text, SMS, and feedback. Fires `focus-article` and `toggle-article` (detail: article id). */
export class SuggestionCard extends LitElement {
  static override properties = {
    suggestion: { attribute: false },
    call: { attribute: false },
    focused: { type: Boolean, reflect: true },
    open: { type: Boolean },
  };
  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      .card {
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      :host([focused]) .card {
        border-color: var(--accent);
        box-shadow: 0 0 0 1px var(--accent);
      }
      .title {
        font-weight: 600;
      }
      .voice {
        background: #f7f9fb;
        border-left: 3px solid var(--accent);
        padding: 6px 8px;
        border-radius: 0 var(--radius) var(--radius) 0;
      }
      .actions button {
        padding: 2px 8px;
      }
    `,
  ];

  declare suggestion: Shown;
  declare call: CallView;
  declare focused: boolean;
  declare open: boolean;
  private readonly update$ = () => this.requestUpdate();

  constructor() {
    super();
    new LangController(this);
    this.focused = false;
    this.open = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    bus.addEventListener('change', this.update$);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    bus.removeEventListener('change', this.update$);
  }

  private fire(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { detail: this.suggestion.id, bubbles: true, composed: true }));
  }

  override render() {
    const s = this.suggestion;
    const st = stateOf(this.call.callSid, s.id);
    return html`
      <div class="card" data-testid="suggestion" data-article-id=${s.id} @click=${() => this.fire('focus-article')}>
        <div class="row">
          <span class="title grow">${s.title}</span>
          ${this.focused ? html`<span class="badge">${t('inFocus')}</span>` : ''}
          <span class="badge grey">${t('score', { p: score(s.score) })}</span>
        </div>
        <div class="small muted row"><span>${s.category}</span><span>${s.department}</span></div>
        <div class="voice pre">${s.voice}</div>
        <div class="row actions">
          <button data-testid="suggestion-open" @click=${() => this.fire('toggle-article')} aria-expanded=${this.open ? 'true' : 'false'}>
            ${this.open ? t('closeArticle') : t('openArticle')}
          </button>
          <button
            data-testid="suggestion-send-sms"
            title="Alt+S"
            ?disabled=${st.sms === 'sending' || !this.call.from}
            @click=${() => void sendArticleSms(this.call, s.id)}
          >
            ${st.sms === 'sending' ? t('sending') : t('sendSms')}
          </button>
          <span class="grow"></span>
          <button
            data-testid="suggestion-helpful"
            aria-pressed=${st.feedback === 'helpful' ? 'true' : 'false'}
            ?disabled=${st.feedback === 'sending'}
            @click=${() => void sendFeedback(this.call.callSid, s.id, true, s.query ?? '')}
          >
            ${t('helpful')}
          </button>
          <button
            data-testid="suggestion-unhelpful"
            aria-pressed=${st.feedback === 'unhelpful' ? 'true' : 'false'}
            ?disabled=${st.feedback === 'sending'}
            @click=${() => void sendFeedback(this.call.callSid, s.id, false, s.query ?? '')}
          >
            ${t('notHelpful')}
          </button>
        </div>
        ${st.sms === 'sent' ? html`<div class="small ok" data-testid="sms-sent" role="status">${t('smsSent', { to: st.smsTo ?? '' })}</div>` : ''}
        ${st.feedback === 'helpful' || st.feedback === 'unhelpful'
          ? html`<div class="small ok" data-testid="feedback-recorded" role="status">${t('feedbackRecorded')}</div>`
          : ''}
        ${st.error ? html`<div class="small error" role="alert">${st.error}</div>` : ''}
        ${this.open ? html`<article-view article-id=${s.id}></article-view>` : ''}
      </div>
    `;
  }
}
customElements.define('suggestion-card', SuggestionCard);

declare global {
  interface HTMLElementTagNameMap {
    'suggestion-card': SuggestionCard;
  }
}
