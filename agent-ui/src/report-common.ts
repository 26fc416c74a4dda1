import { css, html } from 'lit';
import type { Count, Rate } from '../../server/reports/types.ts';
import { lang, t, type Key } from './i18n.ts';

/** What the report page asks for: a day, week or month holding `date`, or a free range of China dates. */
export type AskedKind = 'day' | 'week' | 'month' | 'range';
export interface Asked {
  kind: AskedKind;
  /** YYYY-MM-DD (China); for a month, its first day. For a range, its first day. */
  date: string;
  /** The last day of a free range (inclusive), YYYY-MM-DD. */
  to: string;
  /** Departments to narrow a supervisor's report to ([] = the whole centre). */
  departments: string[];
}

/** Today's date in China (YYYY-MM-DD), `days` added: reports are by the China calendar wherever the browser is. */
export function chinaToday(days = 0, now = Date.now()): string {
  return new Date(now + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** The China date after `date`. */
export function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The default day for each kind: yesterday for a daily report, today (the current week or month) otherwise. */
export function defaultDate(kind: AskedKind, now = Date.now()): string {
  if (kind === 'day' || kind === 'range') return chinaToday(-1, now);
  if (kind === 'month') return `${chinaToday(0, now).slice(0, 7)}-01`;
  return chinaToday(0, now);
}

/** The query string the report endpoints take (the JSON, the downloads and the printable page alike). */
export function reportQuery(a: Asked): string {
  const q = new URLSearchParams();
  if (a.kind === 'range') {
    q.set('from', `${a.date}T00:00:00+08:00`);
    q.set('to', `${nextDay(a.to < a.date ? a.date : a.to)}T00:00:00+08:00`);
  } else {
    q.set('period', a.kind);
    q.set('date', a.date);
  }
  if (a.departments.length) q.set('department', a.departments.join(','));
  return q.toString();
}

/** A rate as a percentage with one decimal, or — when nothing was counted. */
export function pct(r: Rate | null | undefined): string {
  return r && r.rate !== null ? `${(r.rate * 100).toFixed(1)}%` : '—';
}

/** What a rate is made of, for its title: "3/4". */
export function parts(r: Rate | null | undefined): string {
  return r ? `${r.numerator}/${r.denominator}` : '';
}

export function num(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return new Intl.NumberFormat(lang(), { maximumFractionDigits: digits }).format(n);
}

export type Direction = 'up' | 'down' | 'flat';

/** The change from `before` to `now`: percentage points for rates, a percentage for counts. */
export function change(now: number | null | undefined, before: number | null | undefined, isRate: boolean): { text: string; dir: Direction | null } {
  if (now === null || now === undefined || before === null || before === undefined) return { text: '—', dir: null };
  const d = now - before;
  const dir: Direction = Math.abs(d) < 1e-9 ? 'flat' : d > 0 ? 'up' : 'down';
  const arrow = dir === 'up' ? '↑' : dir === 'down' ? '↓' : '→';
  if (isRate) return { text: `${arrow} ${Math.abs(d * 100).toFixed(1)} ${t('pp')}`, dir };
  if (before === 0) return { text: d === 0 ? `${arrow} 0.0%` : `${arrow} ${t('changeNew')}`, dir };
  return { text: `${arrow} ${Math.abs((d / before) * 100).toFixed(1)}%`, dir };
}

/** The share of a count in a total, as a percentage. */
export function share(n: number, total: number): string {
  return total ? `${((n / total) * 100).toFixed(1)}%` : '—';
}

export const sumCounts = (xs: Count[]) => xs.reduce((n, x) => n + x.count, 0);

const CHANNEL_LABEL: Record<string, Key> = { voice: 'channelVoice', sms: 'channelSms', web: 'channelWeb', open311: 'channelOpen311' };
export const channelName = (c: string) => (CHANNEL_LABEL[c] ? t(CHANNEL_LABEL[c]!) : c || '—');
const STEP_LABEL: Record<string, Key> = { dispatch: 'stepDispatch', accept: 'stepAccept', reply: 'stepReply', callback: 'stepCallback' };
export const stepName = (s: string | null) => (s ? (STEP_LABEL[s] ? t(STEP_LABEL[s]!) : s) : '—');

/** Department code → name, from the catalogue (the code itself when it is not there). */
export type DeptName = (code: string | null) => string;

/** Asks the page to show a case (it opens the case dialog). */
export function openCase(e: Event, id: string): void {
  e.preventDefault();
  (e.currentTarget as HTMLElement).dispatchEvent(new CustomEvent('open-case', { detail: id, bubbles: true, composed: true }));
}

/** Asks the page to show a past call or text conversation (it opens the call dialog). */
export function openCall(e: Event, sid: string): void {
  e.preventDefault();
  (e.currentTarget as HTMLElement).dispatchEvent(new CustomEvent('open-call', { detail: sid, bubbles: true, composed: true }));
}

/** A case id that opens the case. */
export const caseLink = (id: string) => html`<button class="link" data-testid="case-link" data-case-id=${id} @click=${(e: Event) => openCase(e, id)}>${id}</button>`;

/** A list of case ids, each opening its case. */
export const caseLinks = (ids: string[]) => (ids.length ? html`<span class="cases">${ids.map((id) => caseLink(id))}</span>` : html`<span class="muted">—</span>`);

/** Tables and sections of the report page. */
/** Two columns of cards; a wide one spans both. */
export const reportGrid = css`
  :host {
    display: grid;
    grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 12px;
  }
  section.wide {
    grid-column: 1 / -1;
  }
`;

export const reportStyles = css`
  section.card {
    display: flex;
    flex-direction: column;
    gap: 6px;
    min-width: 0;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: left;
    padding: 4px 8px;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
  th {
    color: var(--muted);
    font-weight: 600;
    font-size: 13px;
    white-space: nowrap;
  }
  td.n,
  th.n {
    text-align: right;
    white-space: nowrap;
  }
  tr.group td {
    background: #fafbfc;
    color: var(--muted);
    font-weight: 600;
    font-size: 13px;
  }
  [title]:not(button) {
    cursor: help;
  }
  .better {
    color: var(--ok);
  }
  .worse {
    color: var(--bad);
  }
  .neutral {
    color: var(--muted);
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    color: var(--accent);
    text-decoration: underline;
    font-variant-numeric: tabular-nums;
    cursor: pointer;
  }
  .cases {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 2px 8px;
  }
  .empty {
    color: var(--muted);
    padding: 6px 8px;
  }
  .mono {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 12px;
  }
`;
