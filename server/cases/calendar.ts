import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { readConfigFile } from '../config-file.ts';
import { z } from 'zod';

/** China has one time zone and no daylight saving: a local date is UTC+8. */
const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

const require = createRequire(import.meta.url);

/**
 * The official calendar as `chinese-days` publishes it: public holidays and the adjusted
 * working weekends (调休), by ISO date.
 */
function packageCalendar(): { holidays: Record<string, string>; workdays: Record<string, string> } {
  return require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2027-01-01');
const Day = z.union([
  z.object({ date: isoDate, name: z.string().min(1) }).strict(),
  z.object({ from: isoDate, to: isoDate, name: z.string().min(1) }).strict(),
]);

/** The local override file: years the package does not have yet, and local holidays. */
export const CalendarOverrides = z
  .object({
    /** Years this file describes completely (their weekends are then only days off unless listed as workdays). */
    covers: z.array(z.number().int().min(2000).max(2100)).default([]),
    /** Days off: national holidays of a covered year, or a local holiday. */
    holidays: z.array(Day).default([]),
    /** Adjusted working days (调休): weekends that are working days. */
    workdays: z.array(Day).default([]),
  })
  .strict();
export type CalendarOverrides = z.infer<typeof CalendarOverrides>;

export class CalendarError extends Error {}

/** The local (China) calendar date of an instant, as YYYY-MM-DD. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a local (China) date begins. */
export function chinaMidnight(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - CHINA_OFFSET_MS);
}

function nextDate(date: string, days = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function expand(days: z.infer<typeof Day>[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of days) {
    if ('date' in d) out.set(d.date, d.name);
    else for (let x = d.from; x <= d.to; x = nextDate(x)) out.set(x, d.name);
  }
  return out;
}

/**
 * Working days by China's official calendar (public holidays and 调休 make-up days, from
 * `chinese-days`), with a local override file on top. A date in a year neither covers is
 * still answered (by the weekday), but `covers(year)` says so, and deadlines that reach such
 * a year are reported at start-up rather than silently guessed.
 */
export class WorkCalendar {
  private readonly holidays: Map<string, string>;
  private readonly workdays: Map<string, string>;
  private readonly years: Set<number>;

  constructor(overrides: CalendarOverrides = { covers: [], holidays: [], workdays: [] }) {
    const pkg = packageCalendar();
    this.holidays = new Map(Object.entries(pkg.holidays));
    this.workdays = new Map(Object.entries(pkg.workdays));
    this.years = new Set(Object.keys(pkg.holidays).map((d) => Number(d.slice(0, 4))));
    // Local days win over the package: a local holiday on a make-up Saturday is still a day off.
    for (const [d, name] of expand(overrides.workdays)) {
      this.workdays.set(d, name);
      this.holidays.delete(d);
    }
    for (const [d, name] of expand(overrides.holidays)) {
      this.holidays.set(d, name);
      this.workdays.delete(d);
    }
    for (const y of overrides.covers) this.years.add(y);
  }

  /** Reads the override file if there is one; errors name the file and line. */
  static load(file: string | undefined): WorkCalendar {
    if (!file || !existsSync(file)) return new WorkCalendar();
    return new WorkCalendar(readConfigFile(file, CalendarOverrides, (m) => new CalendarError(m)));
  }

  /** Whether the official calendar (package or override file) describes this year. */
  covers(year: number): boolean {
    return this.years.has(year);
  }

  isWorkday(date: string): boolean {
    if (this.workdays.has(date)) return true;
    if (this.holidays.has(date)) return false;
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /** Why a date is off or on, for people reading a deadline. */
  describe(date: string): string {
    return this.holidays.get(date) ?? this.workdays.get(date) ?? (this.isWorkday(date) ? 'workday' : 'weekend');
  }

  /**
   * The deadline `n` working days after `from`: counting starts on the day after the day of
   * `from` (a case received on Friday evening has all of Monday), and the deadline is the end
   * of the n-th working day, China time. Years the calendar does not cover are listed in
   * `uncovered` so the caller can warn.
   */
  addWorkingDays(from: Date, n: number): { at: Date; uncovered: number[] } {
    if (!Number.isInteger(n) || n < 1) throw new CalendarError(`working days must be a whole number ≥ 1, got ${n}`);
    const uncovered = new Set<number>();
    let date = chinaDate(from);
    for (let left = n; left > 0; ) {
      date = nextDate(date);
      const year = Number(date.slice(0, 4));
      if (!this.covers(year)) uncovered.add(year);
      if (this.isWorkday(date)) left--;
    }
    return { at: chinaMidnight(nextDate(date)), uncovered: [...uncovered] };
  }
}
