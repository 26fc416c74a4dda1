import type { CaseMeasures, Period, Rate, Scope } from '../cases/measures.ts';
import { periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';
import type { ReportSources } from './routes.ts';
import { serviceMeasures, type ServiceMeasures } from './service.ts';

export interface PeriodFigures {
  period: Period;
  cases: CaseMeasures;
  service: ServiceMeasures;
}

/** One report: the period's figures beside the period before (环比) and a year before (同比). */
export interface Report {
  kind: PeriodKind;
  date: string;
  current: PeriodFigures;
  previous: PeriodFigures;
  yearBefore: PeriodFigures;
}

async function figures(s: ReportSources, period: Period, scope: Scope): Promise<PeriodFigures> {
  const record = await s.calls.record(period);
  return { period, cases: await s.cases.measures(period, scope), service: serviceMeasures(period, record, await s.assignments.takenAt(record.toHuman.map((c) => c.callSid))) };
}

export async function buildReport(s: ReportSources, kind: PeriodKind, date: string, scope: Scope = {}): Promise<Report> {
  const period = periodOf(kind, date);
  return { kind, date, current: await figures(s, period, scope), previous: await figures(s, previousPeriod(period, kind), scope), yearBefore: await figures(s, yearBefore(period), scope) };
}

type Cell = number | string | null;
const isRate = (v: unknown): v is Rate => typeof v === 'object' && v !== null && 'numerator' in v && 'denominator' in v;

/** The flat measures of one period: `name → value`, rates as their value (numerator and denominator beside them). */
function flatten(prefix: string, v: unknown, out: Map<string, Cell>): void {
  if (v === null || typeof v === 'number' || typeof v === 'string') out.set(prefix, v);
  else if (isRate(v)) {
    out.set(prefix, v.rate);
    out.set(`${prefix}.numerator`, v.numerator);
    out.set(`${prefix}.denominator`, v.denominator);
  } else if (Array.isArray(v)) for (const c of v as Array<{ key: string; count: number }>) out.set(`${prefix}.${c.key || '(none)'}`, c.count);
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== 'period') flatten(prefix ? `${prefix}.${k}` : k, x, out);
}

const csvCell = (c: Cell) => (c === null ? '' : typeof c === 'number' ? String(Math.round(c * 1e6) / 1e6) : /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);

/** CSV: one row per measure, with the period, the period before and a year before as columns. */
export function reportCsv(r: Report): string {
  const cols = [r.current, r.previous, r.yearBefore].map((f) => {
    const m = new Map<string, Cell>();
    flatten('', { cases: f.cases, service: f.service }, m);
    return m;
  });
  const names = [...new Set(cols.flatMap((m) => [...m.keys()]))];
  const head = ['measure', `current ${r.current.period.from}`, `previous ${r.previous.period.from}`, `year before ${r.yearBefore.period.from}`];
  return [head.map(csvCell).join(','), ...names.map((n) => [n, ...cols.map((m) => (m.has(n) ? m.get(n)! : 0))].map(csvCell).join(','))].join('\n') + '\n';
}
