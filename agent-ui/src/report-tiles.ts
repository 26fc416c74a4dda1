import { LitElement, css, html } from 'lit';
import type { LiveTiles, Rate } from '../../server/reports/types.ts';
import { get, messageOf } from './api.ts';
import { when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { num, parts, pct } from './report-common.ts';
import { base } from './styles.ts';

const REFRESH_MS = 10_000;

interface Tile {
  id: string;
  label: Key;
  value: (l: LiveTiles) => number | Rate;
  /** A count above zero is bad news (shown red). */
  alarm?: boolean;
}

const TILES: Tile[] = [
  { id: 'offered', label: 'tileOffered', value: (l) => l.calls.offered },
  { id: 'answer-rate', label: 'tileAnswerRate', value: (l) => l.calls.answerRate },
  { id: 'within-15s', label: 'tileWithin15s', value: (l) => l.calls.answeredWithin15s },
  { id: 'containment', label: 'tileContainment', value: (l) => l.calls.containment },
  { id: 'sms-3min', label: 'tileSms3min', value: (l) => l.sms.answeredWithin3min },
  { id: 'received', label: 'tileReceived', value: (l) => l.cases.received },
  { id: 'overdue', label: 'tileOverdueNow', value: (l) => l.cases.overdueNow, alarm: true },
  { id: 'satisfaction', label: 'tileSatisfaction', value: (l) => l.satisfaction },
];

/** The supervisor's tiles: today so far, asked again every 10 s while the page is on screen. */
export class ReportTiles extends LitElement {
  static override properties = {
    tiles: { state: true },
    error: { state: true },
  };
  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(8, minmax(0, 1fr));
        gap: 10px;
      }
      .tile {
        background: var(--panel);
        border: 1px solid var(--line);
        border-radius: var(--radius);
        padding: 8px 10px;
        min-width: 0;
      }
      .label {
        color: var(--muted);
        font-size: 12px;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .value {
        font-size: 24px;
        font-weight: 700;
        font-variant-numeric: tabular-nums;
        line-height: 1.25;
      }
      .value.bad {
        color: var(--bad);
      }
      .head {
        display: flex;
        gap: 8px;
        align-items: baseline;
        margin-bottom: 6px;
      }
    `,
  ];

  declare tiles: LiveTiles | null;
  declare error: string;
  private timer: ReturnType<typeof setInterval> | undefined;
  private seq = 0;
  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible') void this.load();
  };

  constructor() {
    super();
    new LangController(this);
    this.tiles = null;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    // Asked only while the tab is on screen: a hidden browser tab does not poll.
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.load();
    }, REFRESH_MS);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearInterval(this.timer);
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    try {
      const tiles = await get<LiveTiles>('/api/reports/live');
      if (seq !== this.seq) return;
      this.tiles = tiles;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) this.error = messageOf(err);
    }
  }

  override render() {
    const l = this.tiles;
    return html`
      <div class="head">
        <h2 style="margin:0">${t('liveTitle')}</h2>
        ${l ? html`<span class="small muted" data-testid="live-at">${t('asOf', { t: when(l.at) })}</span>` : ''}
        ${this.error ? html`<span class="small error" role="alert">${this.error}</span>` : ''}
      </div>
      <div class="grid" data-testid="report-tiles">
        ${TILES.map((tile) => {
          const v = l ? tile.value(l) : null;
          const isRate = v !== null && typeof v === 'object';
          const bad = tile.alarm && typeof v === 'number' && v > 0;
          return html`<div class="tile" data-testid="tile-${tile.id}">
            <div class="label" title=${t(tile.label)}>${t(tile.label)}</div>
            <div class="value ${bad ? 'bad' : ''}" title=${isRate ? parts(v) : ''}>${v === null ? '—' : isRate ? pct(v) : num(v)}</div>
          </div>`;
        })}
      </div>
    `;
  }
}
customElements.define('report-tiles', ReportTiles);

declare global {
  interface HTMLElementTagNameMap {
    'report-tiles': ReportTiles;
  }
}
