import { LitElement, css, html } from 'lit';
import { ApiError, messageOf, post, type Me } from './api.ts';
import { LangController, t } from './i18n.ts';
import { base, centeredCard } from './styles.ts';

/** Sign-in form; fires `signed-in` with the user. */
export class LoginView extends LitElement {
  static override properties = {
    error: { state: true },
    busy: { state: true },
    notice: {},
  };
  static override styles = [
    base,
    centeredCard,
    css`
      form {
        width: 320px;
      }
    `,
  ];

  declare error: string;
  declare busy: boolean;
  /** Shown above the form, e.g. why the user is back here. */
  declare notice: string;

  constructor() {
    super();
    new LangController(this);
    this.error = '';
    this.busy = false;
    this.notice = '';
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const username = (form.elements.namedItem('username') as HTMLInputElement).value.trim();
    const password = (form.elements.namedItem('password') as HTMLInputElement).value;
    if (!username || !password) {
      this.error = t('required');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      const me = await post<Me>('/api/login', { username, password }, { quiet401: true });
      this.dispatchEvent(new CustomEvent<Me>('signed-in', { detail: me, bubbles: true, composed: true }));
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 429 && err.retryAfter ? t('tooManyAttempts', { s: err.retryAfter }) : messageOf(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <form class="card" @submit=${this.submit} novalidate>
        <h2>${t('product')} · ${t('loginTitle')}</h2>
        ${this.notice ? html`<div class="muted">${this.notice}</div>` : ''}
        <label class="field"
          >${t('username')}
          <input name="username" data-testid="login-username" autocomplete="username" autofocus required />
        </label>
        <label class="field"
          >${t('password')}
          <input name="password" type="password" data-testid="login-password" autocomplete="current-password" required />
        </label>
        ${this.error ? html`<div class="error" role="alert" data-testid="login-error">${this.error}</div>` : ''}
        <button class="primary" type="submit" data-testid="login-submit" ?disabled=${this.busy}>${this.busy ? t('signingIn') : t('signIn')}</button>
      </form>
    `;
  }
}
customElements.define('login-view', LoginView);

declare global {
  interface HTMLElementTagNameMap {
    'login-view': LoginView;
  }
}
