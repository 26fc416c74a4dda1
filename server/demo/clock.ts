import type { WorkCalendar } from '../cases/calendar.ts';

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** China time is UTC+8 all year. */
const CN = 8 * HOUR;

/** Opening hours as [from, to) minutes of the China day. */
type Hours = ReadonlyArray<readonly [number, number]>;
/** Department offices: 08:30–12:00 and 13:30–18:00 on working days. */
const OFFICE: Hours = [
  [8 * 60 + 30, 12 * 60],
  [13 * 60 + 30, 18 * 60],
];
/** The centre's seats that dispatch and call back: 07:30–23:00 every day. */
const CENTRE: Hours = [[7 * 60 + 30, 23 * 60]];

/**
 * Time as the people in the history spend it: a department handler works office hours on the
 * official calendar's working days, the centre every day from morning to late evening. Times
 * are milliseconds since the epoch.
 */
export class WorkClock {
  private readonly workdays = new Map<number, boolean>();

  constructor(private readonly calendar: WorkCalendar) {}

  /** Whether the China day with this index (days since 1970-01-01, China time) is a working day. */
  isWorkday(day: number): boolean {
    let w = this.workdays.get(day);
    if (w === undefined) {
      w = this.calendar.isWorkday(new Date(day * DAY).toISOString().slice(0, 10));
      this.workdays.set(day, w);
    }
    return w;
  }

  /** `minutes` of office time after `from` (office hours on working days). */
  officeAfter(from: number, minutes: number): number {
    return this.after(from, minutes, OFFICE, true);
  }

  /** `minutes` of the centre's time after `from` (its hours, every day). */
  centreAfter(from: number, minutes: number): number {
    return this.after(from, minutes, CENTRE, false);
  }

  /** Office minutes between two instants. */
  officeMinutes(from: number, to: number): number {
    return this.between(from, to, OFFICE, true);
  }

  centreMinutes(from: number, to: number): number {
    return this.between(from, to, CENTRE, false);
  }

  private after(from: number, minutes: number, hours: Hours, workdaysOnly: boolean): number {
    let left = Math.max(0, minutes);
    let day = Math.floor((from + CN) / DAY);
    let minute = (from + CN - day * DAY) / MINUTE;
    for (let guard = 0; guard < 3660; guard++, day++, minute = 0) {
      if (workdaysOnly && !this.isWorkday(day)) continue;
      for (const [open, close] of hours) {
        if (minute >= close) continue;
        const start = Math.max(minute, open);
        if (left <= close - start) return day * DAY - CN + (start + left) * MINUTE;
        left -= close - start;
        minute = close;
      }
    }
    throw new Error('no working time found within ten years');
  }

  private between(from: number, to: number, hours: Hours, workdaysOnly: boolean): number {
    if (to <= from) return 0;
    let total = 0;
    const lastDay = Math.floor((to + CN) / DAY);
    for (let day = Math.floor((from + CN) / DAY); day <= lastDay; day++) {
      if (workdaysOnly && !this.isWorkday(day)) continue;
      const base = day * DAY - CN;
      for (const [open, close] of hours) {
        const a = Math.max(from, base + open * MINUTE);
        const b = Math.min(to, base + close * MINUTE);
        if (b > a) total += (b - a) / MINUTE;
      }
    }
    return total;
  }
}

/** The China day index of an instant, and the instant a China day index begins. */
export const chinaDay = (t: number): number => Math.floor((t + CN) / DAY);
export const dayStart = (day: number): number => day * DAY - CN;
/** The China hour (0–23) of an instant. */
export const chinaHour = (t: number): number => Math.floor(((t + CN) % DAY) / HOUR);
