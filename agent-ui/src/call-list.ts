import { LitElement, css, html } from 'lit';
import type { CallView } from '../../server/assist/protocol.ts';
import { clock, langName, when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { LiveController, TickController, live } from './live.ts';
import { base, pane, scrollList } from './styles.ts';

export type ListTab = 'menu' | 'queued' | 'mine';
export const LIST_TABS: ListTab[] = ['menu', 'queued', 'mine'];
const TAB_LABEL: Record<ListTab, Key> = { menu: 'listMenu', queued: 'listQueued', mine: 'listMine' };

/** Which tab a call belongs in; an ended call stays where it was for its last minute. Others' calls are in none. */
export function tabOf(c: CallView, me: string): ListTab | null {
  switch (c.status) {
    case 'menu':
      return 'menu';
    case 'queued':
      return 'queued';
    case 'with_agent':
      return c.agent === me ? 'mine' : null;
    case 'ended':
      if (c.agent) return c.agent === me ? 'mine' : null;
      return c.queue ? 'queued' : 'menu';
  }
}

const since = (iso: string | undefined) => {
  const n = Date.parse(iso ?? '');
  return Number.isFinite(n) ? n : 0;
};

/** The calls a tab lists, in the order shown: the longest-waiting first in the queue, the newest first elsewhere; ended ones last. */
export function callsIn(tab: ListTab, me: string, now = Date.now()): CallView[] {
  const list = [...live.calls.values()].filter((c) => tabOf(c, me) === tab && !live.expired(c.callSid, now));
  return list.sort((a, b) => {
    const endedA = a.status === 'ended' ? 1 : 0;
    const endedB = b.status === 'ended' ? 1 : 0;
    if (endedA !== endedB) return endedA - endedB;
    if (tab === 'queued') return since(a.queue?.since) - since(b.queue?.since);
    return since(b.startedAt) - since(a.startedAt);
  });
}

/** The three lists of calls; fires `select` (detail: callSid) and `tab` (detail: ListTab). */
export class CallList extends LitElement {
  static override properties = {
    tab: {},
    selected: {},
    me: {},
  };
  static override styles = [
    base,
    pane,
    scrollList,
    css`
      :host {
        background: var(--panel);
        border-right: 1px solid var(--line);
      }
      .tabs button {
        flex: 1;
        padding: 8px 4px;
      }
      li {
        padding: 8px 12px;
        border-bottom: 1px solid var(--line);
        cursor: pointer;
        display: flex;
        flex-direction: column;
        gap: 2px;
      }
      li:hover {
        background: #f7f9fb;
      }
      li[aria-selected='true'] {
        background: var(--accent-soft);
        box-shadow: inset 3px 0 0 var(--accent);
      }
      li[data-status='ended'] {
        opacity: 0.6;
      }
      .from {
        font-weight: 600;
        font-variant-numeric: tabular-nums;
      }
      .meta {
        font-size: 12px;
        color: var(--muted);
        display: flex;
        gap: 8px;
        flex-wrap: wrap;
      }
      .wait {
        font-variant-numeric: tabular-nums;
        color: var(--warn);
      }
      .empty {
        padding: 16px 12px;
        color: var(--muted);
        cursor: default;
      }
      .count {
        font-size: 11px;
        margin-left: 4px;
      }
    `,
  ];

  declare tab: ListTab;
  declare selected: string | null;
  declare me: string;
  private readonly tick = new TickController(this, 1000);

  constructor() {
    super();
    new LangController(this);
    new LiveController(this);
    this.tab = 'menu';
    this.selected = null;
    this.me = '';
  }

  private fire(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private item(c: CallView, now: number) {
    const sel = c.callSid === this.selected;
    const waited = c.queue ? now - since(c.queue.since) : 0;
    return html`
      <li
        data-testid="call-item"
        data-call-sid=${c.callSid}
        data-status=${c.status}
        role="option"
        aria-selected=${sel ? 'true' : 'false'}
        tabindex=${sel ? 0 : -1}
        @click=${() => this.fire('select', c.callSid)}
      >
        <span class="row"
          ><span class="from grow">${c.from || c.callSid}</span>
          ${c.status === 'ended' ? html`<span class="badge grey">${t('ended')}</span>` : ''}</span
        >
        <span class="meta">
          <span>${c.channel === 'sms' ? t('channelSms') : t('channelVoice')}</span>
          <span>${langName(c.lang)}</span>
          ${c.status === 'queued'
            ? html`${c.queue?.position !== undefined ? html`<span>${t('position', { n: c.queue.position })}</span>` : ''}
                <span class="wait">${t('waiting', { t: clock(waited) })}</span>`
            : html`<span>${when(c.startedAt)}</span>`}
          ${c.path.length ? html`<span>${c.path[c.path.length - 1]!.state}</span>` : ''}
        </span>
      </li>
    `;
  }

  override render() {
    const now = this.tick.now;
    const counts = Object.fromEntries(LIST_TABS.map((tab) => [tab, callsIn(tab, this.me, now).filter((c) => c.status !== 'ended').length])) as Record<ListTab, number>;
    const calls = callsIn(this.tab, this.me, now);
    return html`
      <div class="tabs" role="tablist">
        ${LIST_TABS.map(
          (tab) =>
            html`<button role="tab" data-testid="list-tab-${tab}" aria-selected=${this.tab === tab ? 'true' : 'false'} @click=${() => this.fire('tab', tab)}>
              ${t(TAB_LABEL[tab])}<span class="count">${counts[tab]}</span>
            </button>`,
        )}
      </div>
      <ul class="plain" data-testid="call-list" role="listbox" title=${t('shortcutsHelp')}>
        ${calls.length ? calls.map((c) => this.item(c, now)) : html`<li class="empty">${t('noCalls')}</li>`}
      </ul>
    `;
  }
}
customElements.define('call-list', CallList);

declare global {
  interface HTMLElementTagNameMap {
    'call-list': CallList;
  }
}
