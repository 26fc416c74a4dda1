import { LitElement, css, html } from 'lit';
import { callsIn, tabOf, type ListTab } from './call-list.ts';
import './call-list.ts';
import './call-view.ts';
import { departments } from './api.ts';
import { LangController, t } from './i18n.ts';
import { live } from './live.ts';
import { base } from './styles.ts';

/** Whether a key press was aimed at a text field (plain-letter shortcuts must leave typing alone). */
function typing(e: KeyboardEvent): boolean {
  const el = e.composedPath()[0];
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement;
}

/** The agent's seat: the call lists on the left, the selected call on the right, and the keyboard shortcuts. */
export class CallsPage extends LitElement {
  static override properties = {
    me: {},
    tab: { state: true },
    selected: { state: true },
  };
  static override styles = [
    base,
    css`
      :host {
        display: grid;
        grid-template-columns: 290px minmax(0, 1fr);
        grid-template-rows: minmax(0, 1fr) auto;
        height: 100%;
        min-height: 0;
      }
      call-list {
        grid-row: 1 / span 2;
      }
      .help {
        font-size: 11px;
        color: var(--muted);
        padding: 3px 14px;
        border-top: 1px solid var(--line);
        background: var(--panel);
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
    `,
  ];

  declare me: string;
  declare tab: ListTab;
  declare selected: string | null;
  private readonly onKey = (e: KeyboardEvent) => this.key(e);

  constructor() {
    super();
    new LangController(this);
    this.me = '';
    this.tab = 'menu';
    this.selected = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
    if (this.selected) live.watch(this.selected);
    // The case form maps an article's department to a code from the catalogue: have it at hand.
    departments().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
    if (this.selected) live.unwatch(this.selected);
  }

  private select(sid: string | null): void {
    if (sid === this.selected) return;
    if (this.selected) live.unwatch(this.selected);
    this.selected = sid;
    if (sid) live.watch(sid);
  }

  private get pane() {
    return this.renderRoot.querySelector('call-view');
  }

  private key(e: KeyboardEvent): void {
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      // e.code, not e.key: Alt+letter types other characters on macOS.
      const action = { KeyT: () => void this.pane?.takeOver(), KeyS: () => this.pane?.sendFocused(), KeyC: () => this.pane?.openCaseForm() }[e.code];
      if (action) {
        e.preventDefault();
        action();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    const step = e.key === 'j' || e.key === 'J' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'K' || e.key === 'ArrowUp' ? -1 : 0;
    if (!step) return;
    const list = callsIn(this.tab, this.me);
    if (!list.length) return;
    e.preventDefault();
    const i = list.findIndex((c) => c.callSid === this.selected);
    const next = i < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + step));
    this.select(list[next]!.callSid);
  }

  override render() {
    return html`
      <call-list
        .tab=${this.tab}
        .selected=${this.selected}
        .me=${this.me}
        @tab=${(e: CustomEvent<ListTab>) => (this.tab = e.detail)}
        @select=${(e: CustomEvent<string>) => {
          const c = live.calls.get(e.detail);
          if (c) this.tab = tabOf(c, this.me) ?? this.tab;
          this.select(e.detail);
        }}
      ></call-list>
      <call-view .callSid=${this.selected} .me=${this.me} @taken=${() => (this.tab = 'mine')}></call-view>
      <div class="help">${t('shortcutsHelp')}</div>
    `;
  }
}
customElements.define('calls-page', CallsPage);

declare global {
  interface HTMLElementTagNameMap {
    'calls-page': CallsPage;
  }
}
