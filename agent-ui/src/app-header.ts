import { LitElement, css, html } from 'lit';
import type { AgentStatus } from '../../server/assist/protocol.ts';
import type { Me } from './api.ts';
import { LangController, lang, t, toggleLang } from './i18n.ts';
import { LiveController, live } from './live.ts';
import { phone } from './phone.ts';
import './phone-status.ts';
import { seesCalls, takesCalls } from './roles.ts';
import { base } from './styles.ts';

/** Product name, who is signed in, language, presence, phone, connection; fires `logout`. */
export class AppHeader extends LitElement {
  static override properties = {
    user: { attribute: false },
    working: { type: Boolean },
  };
  static override styles = [
    base,
    css`
      :host {
        display: block;
        background: var(--panel);
        border-bottom: 1px solid var(--line);
      }
      header {
        display: flex;
        align-items: center;
        gap: 14px;
        padding: 6px 14px;
        min-height: 44px;
        flex-wrap: wrap;
      }
      .product {
        font-weight: 700;
        font-size: 15px;
        color: var(--accent);
        white-space: nowrap;
      }
      .spacer {
        flex: 1;
      }
      .conn {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        font-size: 12px;
        padding: 2px 8px;
        border-radius: 10px;
        white-space: nowrap;
      }
      .conn[data-state='online'] {
        background: var(--ok-soft);
        color: var(--ok);
      }
      .conn[data-state='offline'] {
        background: var(--warn-soft);
        color: var(--warn);
      }
      .conn::before {
        content: '';
        width: 7px;
        height: 7px;
        border-radius: 50%;
        background: currentColor;
      }
      .user {
        white-space: nowrap;
      }
    `,
  ];

  declare user: Me | null;
  /** Signed in and past the password change: show presence, phone and connection. */
  declare working: boolean;

  constructor() {
    super();
    new LangController(this);
    new LiveController(this);
    this.user = null;
    this.working = false;
  }

  private presence(e: Event): void {
    const status = (e.target as HTMLSelectElement).value as AgentStatus;
    live.setPresence(status);
    // An available agent can be handed calls: have the phone ready for them.
    if (status === 'available') void phone.connect();
  }

  override render() {
    const u = this.user;
    const w = this.working && u !== null;
    const online = live.online;
    return html`
      <header>
        <span class="product" title="示例市12345 坐席助手 / Agent Assist">${t('product')}</span>
        <span class="spacer"></span>
        ${w && takesCalls(u)
          ? html`<label class="row small muted"
              >${t('presence')}
              <select data-testid="presence" .value=${live.presence ?? 'away'} @change=${this.presence}>
                <option value="available" ?selected=${live.presence === 'available'}>${t('available')}</option>
                <option value="busy" ?selected=${live.presence === 'busy'}>${t('busy')}</option>
                <option value="away" ?selected=${(live.presence ?? 'away') === 'away'}>${t('away')}</option>
              </select></label
            >`
          : ''}
        ${w && seesCalls(u) ? html`<phone-status></phone-status>` : ''}
        ${w
          ? html`<span class="conn" data-testid="connection" data-state=${online ? 'online' : 'offline'} role="status">${online ? t('online') : t('reconnecting')}</span>`
          : ''}
        ${u ? html`<span class="user small" title=${u.roles.join(', ')}>${u.username}</span>` : ''}
        <button data-testid="lang-toggle" @click=${toggleLang} title="中文 / English">${lang() === 'zh-CN' ? 'English' : '中文'}</button>
        ${u ? html`<button data-testid="logout" @click=${() => this.dispatchEvent(new CustomEvent('logout', { bubbles: true, composed: true }))}>${t('logout')}</button>` : ''}
      </header>
    `;
  }
}
customElements.define('app-header', AppHeader);

declare global {
  interface HTMLElementTagNameMap {
    'app-header': AppHeader;
  }
}
