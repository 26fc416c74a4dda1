import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Period, Scope } from '../cases/measures.ts';
import { league, serviceOf, type ReportSources } from './report.ts';
import { chinaToday, periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';

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
  const date = typeof q.date === 'string' ? q.date : chinaToday();
  return { period: periodOf(kind, date), kind };
}

/** GET /api/reports/cases and /service: the measures of a period beside the one before (环比) and the same one a year before (同比). */

export function reportsRouter(sources: ReportSources): Router {
  const { cases } = sources;
  const r = Router();
  /** Answers one measure for the asked period beside the one before (环比) and a year before (同比). */
  const compared =
    <T>(measure: (p: Period, req: Request) => Promise<T>, extra: (req: Request) => Record<string, unknown> = () => ({})) =>
    async (req: Request, res: Response, next: NextFunction) => {
      let p: ReturnType<typeof askedPeriod>;
      try {
        p = askedPeriod(req.query);
      } catch (err) {
        res.status(400).json({ error: 'bad_request', message: (err as Error).message });
        return;
      }
      try {
        const current = await measure(p.period, req);
        const previous = await measure(previousPeriod(p.period, p.kind), req);
        const lastYear = await measure(yearBefore(p.period), req);
        res.json({ kind: p.kind ?? 'range', ...extra(req), current, previous, yearBefore: lastYear });
      } catch (err) {
        next(err);
      }
    };
  const centre = (req: Request) => req.user!.roles.some((x) => x === 'admin' || x === 'supervisor');
  /** Department handlers see their departments' figures only. */
  const scopeOf = (req: Request): Scope => {
    const u = req.user!;
    const asked = typeof req.query.department === 'string' && req.query.department ? req.query.department.split(',') : undefined;
    return centre(req) ? { departments: asked } : { departments: (asked ?? u.departments).filter((d) => u.departments.includes(d)) };
  };

  /** GET /api/reports/service: the phone service measures (the centre's, so supervisors only). */
  r.get(
    '/service',
    (req, res, next) => {
      if (centre(req)) return next();
      res.status(403).json({ error: 'forbidden', message: 'the service measures are the centre’s: supervisors only' });
    },
    compared((p) => serviceOf(sources, p)),
  );
  r.get('/cases', compared((p, req) => cases.measures(p, scopeOf(req)), (req) => ({ scope: scopeOf(req) })));
  /** GET /api/reports/league: the departments ranked on time and satisfaction (handlers: their own lines). */
  r.get('/league', compared((p, req) => league(sources, p, scopeOf(req))));
  return r;
}
