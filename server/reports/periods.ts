import { chinaDate, chinaMidnight } from '../cases/calendar.ts';
import type { Period } from '../cases/measures.ts';

export type PeriodKind = 'day' | 'week' | 'month';

/** China midnight of year, month (0-based) and day; out-of-range parts roll over, as Date.UTC does. */
const midnight = (y: number, m: number, d: number) => chinaMidnight(new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10));

/** The China calendar date of an instant, in parts. */
function chinaParts(at: Date): { y: number; m: number; d: number; weekday: number } {
  const day = new Date(`${chinaDate(at)}T00:00:00Z`);
  return { y: day.getUTCFullYear(), m: day.getUTCMonth(), d: day.getUTCDate(), weekday: (day.getUTCDay() + 6) % 7 };
}

/** Today's date in China (YYYY-MM-DD), `days` added. */
export function chinaToday(days = 0, now = new Date()): string {
  return chinaDate(new Date(now.getTime() + days * 86_400_000));
}

/** The day, week (Monday to Sunday) or month that holds a China date (YYYY-MM-DD). */
export function periodOf(kind: PeriodKind, date: string): Period {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`a date is YYYY-MM-DD, not ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  const start = midnight(y, mo, d);
  if (chinaParts(start).d !== d) throw new RangeError(`no such date: ${date}`);
  if (kind === 'day') return { from: start.toISOString(), to: midnight(y, mo, d + 1).toISOString() };
  if (kind === 'week') {
    const monday = d - chinaParts(start).weekday;
    return { from: midnight(y, mo, monday).toISOString(), to: midnight(y, mo, monday + 7).toISOString() };
  }
  return { from: midnight(y, mo, 1).toISOString(), to: midnight(y, mo + 1, 1).toISOString() };
}

/** The period just before (环比): the previous day, week or month; for a free range, the same length before it. */
export function previousPeriod(p: Period, kind?: PeriodKind): Period {
  if (kind === 'month') {
    const { y, m } = chinaParts(new Date(p.from));
    return { from: midnight(y, m - 1, 1).toISOString(), to: p.from };
  }
  const length = Date.parse(p.to) - Date.parse(p.from);
  return { from: new Date(Date.parse(p.from) - length).toISOString(), to: p.from };
}

/** The same period a year before (同比), by the China calendar. */
export function yearBefore(p: Period): Period {
  // The same China date and time of day, one year earlier.
  const shift = (iso: string) => {
    const { y, m, d } = chinaParts(new Date(iso));
    // 29 February a year before is the 28th (not 1 March: a leap day's year before is a day, not nothing).
    const day = Math.min(d, new Date(Date.UTC(y - 1, m + 1, 0)).getUTCDate());
    return new Date(midnight(y - 1, m, day).getTime() + (Date.parse(iso) - midnight(y, m, d).getTime())).toISOString();
  };
  return { from: shift(p.from), to: shift(p.to) };
}

/** The China dates a period touches, first to last. */
export function chinaDays(p: Period): string[] {
  const out: string[] = [];
  for (let day = chinaDate(new Date(p.from)); chinaMidnight(day).getTime() < Date.parse(p.to); day = chinaDate(new Date(chinaMidnight(day).getTime() + 86_400_000))) out.push(day);
  return out;
}
