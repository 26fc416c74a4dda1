import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { CaseSurvey } from '../cases/survey.ts';
import { chinaMidnight } from '../cases/calendar.ts';
import { chinaDays, periodOf } from './periods.ts';
import { rate, type LeagueLine, type Period, type Rate } from '../cases/measures.ts';
import { withPercentiles, type ServiceSamples } from './service.ts';
import type { PeriodFigures } from './types.ts';

/** What the centre's reports add up from: one period's figures, league lines and survey, with the samples behind the percentiles. */
export interface PeriodRecord {
  figures: PeriodFigures;
  league: LeagueLine[];
  survey: CaseSurvey;
  samples?: ServiceSamples;
}

const DAY = 86_400_000;
/** A day's figures are final once first-contact resolution's 72 hours (and the texts' 24) have passed. */
export const SETTLED_AFTER_MS = 72 * 3600_000;
const LISTED = 50;
/** Raised whenever what a day's record holds changes: kept days of another version are worked out again. */
const RECORD_VERSION = 2;

const isRate = (v: unknown): v is Rate => typeof v === 'object' && v !== null && 'numerator' in v && 'denominator' in v;
const keyOf = (x: Record<string, unknown>) => String(x.key ?? x.department ?? x.reason ?? '');

/**
 * Adds two records of consecutive periods: counts and rates' numerators and denominators are
 * summed, lists keyed by `key`/`department`/`reason` are merged by key, case lists are joined
 * (newest first, up to 50), samples are joined. Every measure of a report is such a sum, so a
 * month is the sum of its days exactly; the percentiles are worked out again from the samples.
 */
function add(a: unknown, b: unknown, later: boolean): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isRate(a) && isRate(b)) return rate(a.numerator + b.numerator, a.denominator + b.denominator);
  if (Array.isArray(a) && Array.isArray(b)) {
    // Lists are of one kind throughout (samples, case ids, or keyed rows): the first item tells which.
    const kind = typeof (a[0] ?? b[0]);
    if (kind === 'number') return a.concat(b);
    if (kind === 'string') return [...new Set(later ? b.concat(a) : a.concat(b))].slice(0, LISTED);
    const by = new Map<string, unknown>(a.map((x) => [keyOf(x as Record<string, unknown>), x]));
    for (const x of b) {
      const k = keyOf(x as Record<string, unknown>);
      by.set(k, by.has(k) ? add(by.get(k), x, later) : x);
    }
    return [...by.values()];
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      // Keys name things (a department, a category): they are kept, not added.
      out[k] = typeof x === 'string' || typeof y === 'string' || x === null || y === null ? (x ?? y) : add(x, y, later);
    }
    return out;
  }
  return a;
}

const byCount = <T extends { key: string; count: number }>(xs: T[]) => xs.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
const total = (l: { satisfied: number; basic: number; dissatisfied: number }) => l.satisfied + l.basic + l.dissatisfied;

/** The record of a period from the records of its days, oldest first. */
export function sumRecords(period: Period, days: PeriodRecord[]): PeriodRecord {
  const sum = days.reduce<PeriodRecord | undefined>((acc, d) => (acc ? (add(acc, d, true) as PeriodRecord) : structuredClone(d)), undefined)!;
  const f = sum.figures;
  f.period = period;
  f.cases.period = period;
  for (const k of ['byType', 'byCategory', 'byDistrict', 'byChannel', 'byDepartment'] as const) byCount(f.cases[k]);
  if (f.service) f.service = withPercentiles({ ...f.service, period }, sum.samples ?? { toHuman: [], waits: [], toAgent: [], steps: 0 });
  sum.survey.byDepartment.sort((a, b) => total(b) - total(a) || a.key.localeCompare(b.key));
  sum.survey.byCategory.sort((a, b) => total(b) - total(a) || a.key.localeCompare(b.key));
  sum.survey.reasons.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return sum;
}

/** The China days a period is made of, when it is made of whole days. */
export function wholeDays(p: Period): string[] | undefined {
  const days = chinaDays(p);
  const whole = days.length > 0 && chinaMidnight(days[0]!).toISOString() === p.from && chinaMidnight(days.at(-1)!).getTime() + DAY === Date.parse(p.to);
  return whole ? days : undefined;
}

/**
 * The centre's record of each settled China day, worked out once and kept (report_days), so a
 * month, its month before and its year before are thirty rows added up, not a month of calls
 * and cases read three times. Days still settling (first-contact resolution looks 72 hours
 * ahead) are worked out afresh each time.
 */
export class DayRecords {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly compute: (p: Period) => Promise<PeriodRecord>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async of(period: Period): Promise<PeriodRecord> {
    const days = wholeDays(period);
    if (!days || days.length === 0) return this.compute(period);
    const kept = new Map<string, PeriodRecord>();
    for (const row of await this.db.selectFrom('report_days').select(['day', 'body']).where('day', 'in', days).execute()) {
      const { v, ...record } = JSON.parse(row.body) as PeriodRecord & { v?: number };
      if (v === RECORD_VERSION) kept.set(row.day, record);
    }
    const records: PeriodRecord[] = [];
    for (const day of days) {
      const p = periodOf('day', day);
      let r = kept.get(day);
      if (!r) {
        r = await this.compute(p);
        if (Date.parse(p.to) + SETTLED_AFTER_MS <= this.now().getTime()) {
          const row = { day, computed_at: this.now().toISOString(), body: JSON.stringify({ v: RECORD_VERSION, ...r }) };
          await this.db.insertInto('report_days').values(row).onConflict((oc) => oc.column('day').doUpdateSet({ computed_at: row.computed_at, body: row.body })).execute();
        }
      }
      records.push(r);
    }
    return sumRecords(period, records);
  }
}
