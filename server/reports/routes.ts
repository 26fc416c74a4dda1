import { Router, type Request, type Response } from 'express';
import type { CaseMeasures, Period, Scope } from '../cases/measures.ts';
import type { VoiceRecord } from '../voice/measures.ts';
import { serviceMeasures } from './service.ts';
import { periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';

const KINDS: PeriodKind[] = ['day', 'week', 'month'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The period a request asks for: `?period=day|week|month&date=YYYY-MM-DD`, or `?from=…&to=…` (ISO instants). */
function askedPeriod(q: Request['query']): { period: Period; kind?: PeriodKind } {
  if (typeof q.from === 'string' || typeof q.to === 'string') {
    if (typeof q.from !== 'string' || typeof q.to !== 'string' || !ISO.test(q.from) || !ISO.test(q.to)) throw new RangeError('from and to are ISO instants, e.g. 2026-10-01T00:00:00+08:00');
    const period = { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() };
    if (period.from >= period.to) throw new RangeError('from must be before to');
    return { period };
  }
  const kind = (typeof q.period === 'string' ? q.period : 'day') as PeriodKind;
  if (!KINDS.includes(kind)) throw new RangeError(`period is one of ${KINDS.join(', ')}`);
  const date = typeof q.date === 'string' ? q.date : new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return { period: periodOf(kind, date), kind };
}

/** GET /api/reports/cases: the case measures of a period beside the one before (环比) and the same one a year before (同比). */
export interface ReportSources {
  cases: { measures(p: Period, s: Scope): Promise<CaseMeasures> };
  calls: { record(p: Period): Promise<VoiceRecord> };
  assignments: { takenAt(callSids: string[]): Promise<Map<string, string>> };
}

export function reportsRouter({ cases, calls, assignments }: ReportSources): Router {
  const r = Router();
  const service = async (p: Period) => {
    const record = await calls.record(p);
    return serviceMeasures(p, record, await assignments.takenAt(record.toHuman.map((c) => c.callSid)));
  };

  /** GET /api/reports/service: the phone service measures (the centre's, so supervisors only). */
  r.get('/service', async (req: Request, res: Response, next) => {
    try {
      if (!req.user!.roles.some((x) => x === 'admin' || x === 'supervisor')) {
        res.status(403).json({ error: 'forbidden', message: 'the service measures are the centre’s: supervisors only' });
        return;
      }
      let p: ReturnType<typeof askedPeriod>;
      try {
        p = askedPeriod(req.query);
      } catch (err) {
        res.status(400).json({ error: 'bad_request', message: (err as Error).message });
        return;
      }
      const [current, previous, lastYear] = [await service(p.period), await service(previousPeriod(p.period, p.kind)), await service(yearBefore(p.period))];
      res.json({ kind: p.kind ?? 'range', current, previous, yearBefore: lastYear });
    } catch (err) {
      next(err);
    }
  });

  r.get('/cases', async (req: Request, res: Response, next) => {
    try {
      const u = req.user!;
      const centre = u.roles.some((x) => x === 'admin' || x === 'supervisor');
      // Department handlers see their departments' figures only.
      const asked = typeof req.query.department === 'string' && req.query.department ? req.query.department.split(',') : undefined;
      const scope: Scope = centre ? { departments: asked } : { departments: (asked ?? u.departments).filter((d) => u.departments.includes(d)) };
      let p: ReturnType<typeof askedPeriod>;
      try {
        p = askedPeriod(req.query);
      } catch (err) {
        res.status(400).json({ error: 'bad_request', message: (err as Error).message });
        return;
      }
      const [current, previous, lastYear] = await Promise.all([
        cases.measures(p.period, scope),
        cases.measures(previousPeriod(p.period, p.kind), scope),
        cases.measures(yearBefore(p.period), scope),
      ]);
      res.json({ kind: p.kind ?? 'range', scope, current, previous, yearBefore: lastYear });
    } catch (err) {
      next(err);
    }
  });
  return r;
}
