import { lang, t } from './i18n.ts';

/** A waiting time as m:ss (h:mm:ss past an hour): the same in both languages, and it fits a list row. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Time to a deadline, in words: "剩 1天3小时" / "1d 3h left", or overdue. */
export function timeLeft(dueAt: string | undefined | null, now = Date.now()): { text: string; overdue: boolean; ms: number } {
  const due = dueAt ? Date.parse(dueAt) : NaN;
  if (!Number.isFinite(due)) return { text: t('noDeadline'), overdue: false, ms: Infinity };
  const ms = due - now;
  const overdue = ms < 0;
  const mins = Math.floor(Math.abs(ms) / 60_000);
  const d = Math.floor(mins / 1440);
  const h = Math.floor((mins % 1440) / 60);
  const m = mins % 60;
  // Two units at most, and no "0h": "1天3小时", "2h", "2h 5m", "35m".
  const parts = d > 0 ? [t('unitDay', { n: d }), h ? t('unitHour', { n: h }) : ''] : h > 0 ? [t('unitHour', { n: h }), m ? t('unitMinute', { n: m }) : ''] : [t('unitMinute', { n: m })];
  const text = t(overdue ? 'overdueBy' : 'timeLeft', { x: parts.filter(Boolean).join(t('unitJoin')) });
  return { text, overdue, ms };
}

const timeFmt = new Map<string, Intl.DateTimeFormat>();

/** A moment as local date and time (just the time if it is today). */
export function when(iso: string | undefined | null, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === now.toDateString();
  const key = `${lang()}|${sameDay}`;
  let f = timeFmt.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang(), sameDay ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    timeFmt.set(key, f);
  }
  return f.format(d);
}

/** A recognition confidence in 0..1 as a whole percentage. */
export function percent(x: number | undefined): number {
  if (x === undefined || !Number.isFinite(x)) return 0;
  return Math.round(x <= 1 ? x * 100 : x);
}

/** A search relevance score: unbounded (hits from two windows add up), so shown as a number, not a percentage. */
export function score(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : '—';
}

/** Markdown as readable plain text: the panel shows articles, it does not need their layout. */
export function markdownToText(md: string): string {
  return md
    .replace(/\r\n/g, '\n')
    .replace(/```[^\n]*\n([\s\S]*?)```/g, '$1')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '• ')
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[^*\w])[*_]([^*_\n]+)[*_](?=[^*\w]|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/^>\s?/gm, '')
    .replace(/^\|?\s*:?-{3,}.*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Normalises a call's language to one the SMS endpoint takes. */
export function smsLang(l: string): 'zh-CN' | 'en-US' {
  return l.toLowerCase().startsWith('en') ? 'en-US' : 'zh-CN';
}

export function langName(l: string): string {
  if (l.toLowerCase().startsWith('en')) return 'English';
  if (l.toLowerCase().startsWith('zh')) return '中文';
  return l;
}
