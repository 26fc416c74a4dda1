import { describe, expect, it } from 'vitest';
import { periodOf, previousPeriod, yearBefore } from '../../server/reports/periods.ts';

const cn = (local: string) => new Date(`${local}+08:00`).toISOString();

describe('report periods on the China calendar', () => {
  it('cuts days, Monday-to-Sunday weeks and months at China midnight', () => {
    expect(periodOf('day', '2026-10-15')).toEqual({ from: cn('2026-10-15T00:00:00'), to: cn('2026-10-16T00:00:00') });
    // 2026-10-15 is a Thursday; 2026-10-18 a Sunday (still that week), 2026-10-19 a Monday (the next).
    expect(periodOf('week', '2026-10-15')).toEqual({ from: cn('2026-10-12T00:00:00'), to: cn('2026-10-19T00:00:00') });
    expect(periodOf('week', '2026-10-18')).toEqual(periodOf('week', '2026-10-12'));
    expect(periodOf('week', '2026-10-19').from).toBe(cn('2026-10-19T00:00:00'));
    expect(periodOf('month', '2026-12-31')).toEqual({ from: cn('2026-12-01T00:00:00'), to: cn('2027-01-01T00:00:00') });
    expect(() => periodOf('day', '2026-02-30')).toThrow(/no such date/);
    expect(() => periodOf('day', '15/10/2026')).toThrow(/YYYY-MM-DD/);
  });

  it('puts the period before (环比) and the year before (同比) beside it', () => {
    const march = periodOf('month', '2026-03-10');
    expect(previousPeriod(march, 'month')).toEqual({ from: cn('2026-02-01T00:00:00'), to: cn('2026-03-01T00:00:00') });
    expect(previousPeriod(periodOf('week', '2026-10-15'), 'week')).toEqual({ from: cn('2026-10-05T00:00:00'), to: cn('2026-10-12T00:00:00') });
    expect(yearBefore(march)).toEqual({ from: cn('2025-03-01T00:00:00'), to: cn('2025-04-01T00:00:00') });
    expect(yearBefore({ from: cn('2026-10-01T08:30:00'), to: cn('2026-10-02T00:00:00') })).toEqual({ from: cn('2025-10-01T08:30:00'), to: cn('2025-10-02T00:00:00') });
    // A leap day's year before is 28 February: a day, not an empty range.
    expect(yearBefore(periodOf('day', '2028-02-29'))).toEqual({ from: cn('2027-02-28T00:00:00'), to: cn('2027-03-01T00:00:00') });
    expect(yearBefore(periodOf('month', '2028-02-10'))).toEqual({ from: cn('2027-02-01T00:00:00'), to: cn('2027-03-01T00:00:00') });
  });
});
