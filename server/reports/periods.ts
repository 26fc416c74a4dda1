import type { Period } from '../cases/measures.ts';

export type PeriodKind = 'day' | 'week' | 'month';

const CHINA_MS = 8 * 3600_000;
/** Midnight in China (UTC+8, no daylight saving) of a calendar date, as an instant. */
const chinaMidnight = (y: number, m: number, d: number) => new Date(Date.UTC(y, m, d) - CHINA_MS);

/** The China calendar date of an instant. */
function chinaParts(at: Date): { y: number; m: number; d: number; weekday: number } {
  const local = new Date(at.getTime() + CHINA_MS);
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate(), weekday: (local.getUTCDay() + 6) % 7 };
}

/** The day, week (Monday to Sunday) or month that holds a China date (YYYY-MM-DD). */
export function periodOf(kind: PeriodKind, date: string): Period {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`a date is YYYY-MM-DD, not ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const start = chinaMidnight(y, mo, d);
  if (chinaParts(start).d !== d) throw new RangeError(`no such date: ${date}`);
  if (kind === 'day') return { from: start.toISOString(), to: chinaMidnight(y, mo, d + 1).toISOString() };
  if (kind === 'week') {
    const monday = d - chinaParts(start).weekday;
    return { from: chinaMidnight(y, mo, monday).toISOString(), to: chinaMidnight(y, mo, monday + 7).toISOString() };
  }
  return { from: chinaMidnight(y, mo, 1).toISOString(), to: chinaMidnight(y, mo + 1, 1).toISOString() };
}

/** The period just before (环比): the previous day, week or month; for a free range, the same length before it. */
export function previousPeriod(p: Period, kind?: PeriodKind): Period {
  if (kind === 'month') {
    const { y, m } = chinaParts(new Date(p.from));
    return { from: chinaMidnight(y, m - 1, 1).toISOString(), to: p.from };
  }
  const length = Date.parse(p.to) - Date.parse(p.from);
  return { from: new Date(Date.parse(p.from) - length).toISOString(), to: p.from };
}

/** The same period a year before (同比), by the China calendar. */
export function yearBefore(p: Period): Period {
  const shift = (iso: string) => {
    const { y, m, d } = chinaParts(new Date(iso));
    const local = new Date(Date.parse(iso) + CHINA_MS);
    return new Date(chinaMidnight(y - 1, m, d).getTime() + (local.getUTCHours() * 3600 + local.getUTCMinutes() * 60) * 1000).toISOString();
  };
  return { from: shift(p.from), to: shift(p.to) };
}
