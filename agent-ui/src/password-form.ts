import { LitElement, css, html } from 'lit';
import { messageOf, post } from './api.ts';
import { LangController, t } from './i18n.ts';
import { base, centeredCard } from './styles.ts';

/** The one-time password must be replaced before anything else works; fires `password-changed`. */
export class PasswordForm extends LitElement {
  static override properties = {
    error: { state: true },
    busy: { state: true },
  };
  static override styles = [
    base,
    centeredCard,
    css`
      form {
        width: 340px;
      }
    `,
  ];

  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    new LangController(this);
    this.error = '';
    this.busy = false;
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const password = (form.elements.namedItem('current') as HTMLInputElement).value;
    const newPassword = (form.elements.namedItem('new') as HTMLInputElement).value;
    if (!password || !newPassword) {
      this.error = t('required');
      return;
    }
    if (newPassword.length < 12) {
      this.error = t('passwordTooShort');
      return;
    }
    this.busy = true;
    this.error = '';
    try {
      await post('/api/password', { password, newPassword });
      this.dispatchEvent(new CustomEvent('password-changed', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = messageOf(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <form class="card" @submit=${this.submit} novalidate>
        <h2>${t('changePasswordTitle')}</h2>
        <div class="muted small">${t('changePasswordHint')}</div>
        <label class="field"
          >${t('currentPassword')}
          <input name="current" type="password" data-testid="password-current" autocomplete="current-password" />
        </label>
        <label class="field"
          >${t('newPassword')}
          <input name="new" type="password" data-testid="password-new" autocomplete="new-password" minlength="12" />
        </label>
        ${this.error ? html`<div class="error" role="alert" data-testid="password-error">${this.error}</div>` : ''}
        <button class="primary" type="submit" data-testid="password-submit" ?disabled=${this.busy}>${t('changePassword')}</button>
      </form>
    `;
  }
}
customElements.define('password-form', PasswordForm);

declare global {
  interface HTMLElementTagNameMap {
    'password-form': PasswordForm;
  }
}
