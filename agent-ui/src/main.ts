import { LitElement, css, html } from 'lit';
import { ApiError, clearCaches, get, messageOf, onUnauthorized, post, type Me } from './api.ts';
import './app-header.ts';
import './calls-page.ts';
import { LangController, t, type Key } from './i18n.ts';
import './inbox.ts';
import { live } from './live.ts';
import './login-view.ts';
import './password-form.ts';
import { phone } from './phone.ts';
import { seesCalls, seesInbox, seesReports, seesWallboard } from './roles.ts';
import { base } from './styles.ts';
import './wallboard.ts';

type Phase = 'loading' | 'login' | 'password' | 'app';
type View = 'calls' | 'inbox' | 'wallboard' | 'reports';
const VIEW_LABEL: Record<View, Key> = { calls: 'tabCalls', inbox: 'tabInbox', wallboard: 'tabWallboard', reports: 'tabReports' };
/** The reports page and its charts (ECharts) are their own chunk, loaded when the tab is first opened. */
let reportsPage: Promise<unknown> | undefined;

/** The shell: signed out, changing the first password, or the views the user's roles allow. */
export class HotlineApp extends LitElement {
  static override properties = {
    phase: { state: true },
    user: { state: true },
    view: { state: true },
    notice: { state: true },
    chunkError: { state: true },
  };
  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100vh;
        overflow: hidden;
        background: var(--bg);
      }
      main {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      .tabs {
        background: var(--panel);
        padding: 0 10px;
      }
      .view {
        flex: 1;
        min-height: 0;
      }
      .loading {
        margin: auto;
        color: var(--muted);
      }
    `,
  ];

  declare phase: Phase;
  declare user: Me | null;
  declare view: View;
  declare notice: string;
  /** Why a view's code could not be loaded. */
  declare chunkError: string;

  constructor() {
    super();
    new LangController(this);
    this.phase = 'loading';
    this.user = null;
    this.view = 'calls';
    this.notice = '';
    this.chunkError = '';
    onUnauthorized(() => this.signedOut(t('sessionExpired')));
    live.addEventListener('unauthorized', () => this.signedOut(t('sessionExpired')));
    live.addEventListener('kicked', () => void this.recheck());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.restore();
  }

  /** A page opened with a session still valid goes straight to work. */
  private async restore(): Promise<void> {
    try {
      this.enter(await get<Me>('/api/me', { quiet401: true }));
    } catch (err) {
      this.phase = 'login';
      if (!(err instanceof ApiError && err.status === 401)) this.notice = err instanceof Error ? err.message : '';
    }
  }

  /**
   * The server closed the socket on purpose: reconnect if the session still holds. A 401 shows
   * the login (through onUnauthorized); a server that cannot answer yet is asked again.
   */
  private async recheck(attempt = 0): Promise<void> {
    if (this.phase !== 'app') return;
    try {
      await get<Me>('/api/me');
      live.reconnect();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      setTimeout(() => void this.recheck(attempt + 1), Math.min(10_000, 1000 * 2 ** attempt));
    }
  }

  private views(u: Me): View[] {
    const v: View[] = [];
    if (seesCalls(u)) v.push('calls');
    if (seesInbox(u)) v.push('inbox');
    if (seesWallboard(u)) v.push('wallboard');
    if (seesReports(u)) v.push('reports');
    return v;
  }

  private enter(me: Me): void {
    this.user = me;
    this.notice = '';
    if (me.mustChangePassword) {
      this.phase = 'password';
      return;
    }
    const views = this.views(me);
    if (!views.includes(this.view)) this.view = views[0] ?? 'calls';
    this.phase = 'app';
    // The server refuses the socket until the first password is changed, so connect only now.
    live.start();
  }

  private signedOut(notice = ''): void {
    if (this.phase === 'login') return;
    live.stop();
    phone.stop();
    clearCaches();
    this.user = null;
    this.notice = notice;
    this.phase = 'login';
  }

  private async logout(): Promise<void> {
    try {
      await post('/api/logout', undefined, { quiet401: true });
    } catch {
      // Signed out here either way; the session expires by itself.
    }
    this.signedOut();
  }

  private async passwordChanged(): Promise<void> {
    try {
      this.enter(await get<Me>('/api/me', { quiet401: true }));
    } catch {
      this.signedOut();
    }
  }

  private show(v: View): void {
    this.chunkError = '';
    this.view = v;
  }

  private renderView(u: Me) {
    // Editors and ops work elsewhere (knowledge files, the CLI); say so rather than show a refused view.
    if (!this.views(u).length) return html`<div class="loading">${t('noViews')}</div>`;
    switch (this.view) {
      case 'calls':
        return html`<calls-page class="view" .me=${u.username}></calls-page>`;
      case 'inbox':
        return html`<case-inbox class="view" .user=${u}></case-inbox>`;
      case 'wallboard':
        return html`<hotline-wallboard class="view"></hotline-wallboard>`;
      case 'reports':
        // A chunk that cannot be fetched (the server was updated meanwhile, the network is down) says so; the tab tries again.
        reportsPage ??= import('./reports-page.ts').catch((err: unknown) => {
          reportsPage = undefined;
          this.chunkError = messageOf(err);
        });
        if (this.chunkError) return html`<div class="loading"><span class="error" role="alert">${this.chunkError}</span></div>`;
        return html`<reports-page class="view" .user=${u}></reports-page>`;
    }
  }

  override render() {
    const u = this.user;
    return html`
      <app-header .user=${u} ?working=${this.phase === 'app'} @logout=${() => void this.logout()}></app-header>
      <main>
        ${this.phase === 'loading'
          ? html`<div class="loading">${t('loading')}</div>`
          : this.phase === 'login'
            ? html`<login-view .notice=${this.notice} @signed-in=${(e: CustomEvent<Me>) => this.enter(e.detail)}></login-view>`
            : this.phase === 'password'
              ? html`<password-form @password-changed=${() => void this.passwordChanged()}></password-form>`
              : u
                ? html`
                    <nav class="tabs" role="tablist">
                      ${this.views(u).map(
                        (v) =>
                          html`<button role="tab" data-testid="tab-${v}" aria-selected=${this.view === v ? 'true' : 'false'} @click=${() => this.show(v)}>
                            ${t(VIEW_LABEL[v])}
                          </button>`,
                      )}
                    </nav>
                    ${this.renderView(u)}
                  `
                : ''}
      </main>
    `;
  }
}
customElements.define('hotline-app', HotlineApp);

declare global {
  interface HTMLElementTagNameMap {
    'hotline-app': HotlineApp;
  }
}
