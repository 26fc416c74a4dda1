import type { CaseMeasures, LeagueLine, Period, Rate, Scope } from '../cases/measures.ts';
import { periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';
import type { VoiceRecord } from '../voice/measures.ts';
import { serviceMeasures, type ServiceMeasures } from './service.ts';


/** Where the figures come from: each capability measures its own data. */
export interface ReportSources {
  cases: { measures(p: Period, s: Scope): Promise<CaseMeasures>; league(p: Period, s: Scope): Promise<LeagueLine[]> };
  calls: { record(p: Period): Promise<VoiceRecord> };
  assignments: { takenAt(callSids: string[]): Promise<Map<string, string>> };
}

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
  /** The departments of the period, best on-time reply first. */
  league: LeagueLine[];
  previous: PeriodFigures;
  yearBefore: PeriodFigures;
}

/** The phone service measures of a period: the voice record, with when agents took its calls over. */
export async function serviceOf(s: ReportSources, period: Period): Promise<ServiceMeasures> {
  const record = await s.calls.record(period);
  return serviceMeasures(period, record, await s.assignments.takenAt(record.toHuman.map((c) => c.callSid)));
}

async function figures(s: ReportSources, period: Period, scope: Scope): Promise<PeriodFigures> {
  return { period, cases: await s.cases.measures(period, scope), service: await serviceOf(s, period) };
}

/** The departments of the period ranked: on-time reply, then on-time acceptance, then satisfaction, then code. */
export async function league(s: ReportSources, period: Period, scope: Scope = {}): Promise<LeagueLine[]> {
  const r = (x: Rate) => x.rate ?? -1;
  return (await s.cases.league(period, scope)).sort((a, b) => r(b.reply) - r(a.reply) || r(b.accept) - r(a.accept) || r(b.satisfaction) - r(a.satisfaction) || a.department.localeCompare(b.department));
}

export async function buildReport(s: ReportSources, kind: PeriodKind, date: string, scope: Scope = {}): Promise<Report> {
  const period = periodOf(kind, date);
  return {
    kind,
    date,
    current: await figures(s, period, scope),
    league: await league(s, period, scope),
    previous: await figures(s, previousPeriod(period, kind), scope),
    yearBefore: await figures(s, yearBefore(period), scope),
  };
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
  const rows: Cell[][] = [head, ...names.map((n) => [n, ...cols.map((m) => (m.has(n) ? m.get(n)! : 0))])];
  // The league table of the period, below: one line per department.
  rows.push([], ['department', 'received', 'on-time accept', 'on-time reply', 'satisfaction']);
  for (const l of r.league) rows.push([l.department, l.received, l.accept.rate, l.reply.rate, l.satisfaction.rate]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
