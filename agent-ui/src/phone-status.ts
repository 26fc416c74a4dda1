import { LitElement, css, html } from 'lit';
import { LangController, t, type Key } from './i18n.ts';
import { phone, type PhoneState } from './phone.ts';
import { base } from './styles.ts';

const LABEL: Record<PhoneState, Key> = {
  off: 'phoneOff',
  connecting: 'phoneConnecting',
  ready: 'phoneReady',
  offline: 'phoneOff',
  not_configured: 'phoneNotConfigured',
  ringing: 'phoneRinging',
  in_call: 'phoneInCall',
};

/** The browser phone's state, with answer / decline / hang-up when they apply. */
export class PhoneStatus extends LitElement {
  static override styles = [
    base,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 6px;
      }
      .dot {
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: #9aa5b1;
      }
      .dot.ready {
        background: var(--ok);
      }
      .dot.busy {
        background: var(--warn);
      }
      button {
        padding: 1px 8px;
      }
    `,
  ];
  private readonly update$ = () => this.requestUpdate();

  constructor() {
    super();
    new LangController(this);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    phone.addEventListener('change', this.update$);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    phone.removeEventListener('change', this.update$);
  }

  override render() {
    const s = phone.state;
    const dot = s === 'ready' ? 'ready' : s === 'ringing' || s === 'in_call' ? 'busy' : '';
    return html`
      <span class="dot ${dot}"></span>
      <span class="small" data-testid="phone-status" data-state=${s}>${t(LABEL[s])}</span>
      ${s === 'ringing'
        ? html`<button class="primary" data-testid="phone-accept" @click=${() => phone.accept()}>${t('accept')}</button>
            <button data-testid="phone-reject" @click=${() => phone.reject()}>${t('reject')}</button>`
        : ''}
      ${s === 'in_call' ? html`<button class="danger" data-testid="phone-hangup" @click=${() => phone.hangUp()}>${t('hangUp')}</button>` : ''}
    `;
  }
}
customElements.define('phone-status', PhoneStatus);

declare global {
  interface HTMLElementTagNameMap {
    'phone-status': PhoneStatus;
  }
}
