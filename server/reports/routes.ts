import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Period, Scope } from '../cases/measures.ts';
import { buildReport, contactMeasures, league, liveTiles, type ReportSources } from './report.ts';
import { chinaToday, periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';
import type { ReportArchive } from './archive.ts';
import { reportCsv, reportXlsx } from './export.ts';
import { reportHtml } from './html.ts';
import type { Report } from './types.ts';

const KINDS: PeriodKind[] = ['day', 'week', 'month'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

type Asked = { period: Period; kind?: PeriodKind; date?: string };

/** The period a request asks for: `?period=day|week|month&date=YYYY-MM-DD`, or `?from=…&to=…` (ISO instants). */
function askedPeriod(q: Request['query']): Asked {
  if (typeof q.from === 'string' || typeof q.to === 'string') {
    if (typeof q.from !== 'string' || typeof q.to !== 'string' || !ISO.test(q.from) || !ISO.test(q.to)) throw new RangeError('from and to are ISO instants, e.g. 2026-10-01T00:00:00+08:00');
    const period = { from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() };
    if (period.from >= period.to) throw new RangeError('from must be before to');
    if (Date.parse(period.to) - Date.parse(period.from) > 400 * 86_400_000) throw new RangeError('a range is at most 400 days');
    return { period };
  }
  const kind = (typeof q.period === 'string' ? q.period : 'day') as PeriodKind;
  if (!KINDS.includes(kind)) throw new RangeError(`period is one of ${KINDS.join(', ')}`);
  const date = typeof q.date === 'string' ? q.date : chinaToday();
  return { period: periodOf(kind, date), kind, date };
}

const badRequest = (res: Response, err: unknown) => res.status(400).json({ error: 'bad_request', message: (err as Error).message });

/**
 * GET /api/reports/…: the report of a period (JSON, CSV, XLSX, printable HTML), the supervisor's
 * live tiles, and each measure beside the period before (环比) and a year before (同比).
 */
export function reportsRouter(sources: ReportSources, archive?: ReportArchive): Router {
  const { cases } = sources;
  const r = Router();
  const centre = (req: Request) => req.user!.roles.some((x) => x === 'admin' || x === 'supervisor');
  /** Department handlers see their departments' figures only. */
  const scopeOf = (req: Request): Scope => {
    const u = req.user!;
    const asked = typeof req.query.department === 'string' && req.query.department ? req.query.department.split(',') : undefined;
    return centre(req) ? { departments: asked } : { departments: (asked ?? u.departments).filter((d) => u.departments.includes(d)) };
  };
  const supervisorsOnly = (what: string) => (req: Request, res: Response, next: NextFunction) => {
    if (centre(req)) return next();
    res.status(403).json({ error: 'forbidden', message: `${what} are the centre’s: supervisors only` });
  };

  /** Answers one measure for the asked period beside the one before (环比) and a year before (同比). */
  const compared =
    <T>(measure: (p: Period, req: Request) => Promise<T>, extra: (req: Request) => Record<string, unknown> = () => ({})) =>
    async (req: Request, res: Response, next: NextFunction) => {
      let p: Asked;
      try {
        p = askedPeriod(req.query);
      } catch (err) {
        return badRequest(res, err);
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

  /** The whole report; a closed period's centre report comes from the archive as it was stored (`?fresh=1` recomputes). */
  const report = async (req: Request): Promise<Report> => {
    const p = askedPeriod(req.query);
    const scope = scopeOf(req);
    if (archive && p.kind && !scope.departments && req.query.fresh !== '1') {
      const stored = await archive.get(p.kind, p.period);
      if (stored) return stored;
    }
    return buildReport(sources, p.kind ? { kind: p.kind, date: p.date! } : { period: p.period }, scope);
  };
  const output = (send: (rep: Report, res: Response) => Promise<void> | void) => async (req: Request, res: Response, next: NextFunction) => {
    let rep: Report;
    try {
      rep = await report(req);
    } catch (err) {
      if (err instanceof RangeError) return badRequest(res, err);
      return next(err);
    }
    try {
      await send(rep, res);
    } catch (err) {
      next(err);
    }
  };
  const fileName = (rep: Report, ext: string) => `hotline-${rep.kind}-${rep.date}${rep.scope.departments ? `-${rep.scope.departments.join('_')}` : ''}.${ext}`;
  const attach = (res: Response, name: string) => res.setHeader('Content-Disposition', `attachment; filename="${name}"`);

  r.get('/report', output((rep, res) => void res.json(rep)));
  r.get('/report.csv', output((rep, res) => {
    attach(res, fileName(rep, 'csv'));
    // A BOM so that Excel opens the Chinese text as UTF-8.
    res.type('text/csv; charset=utf-8').send(`\uFEFF${reportCsv(rep)}`);
  }));
  r.get('/report.xlsx', output(async (rep, res) => {
    attach(res, fileName(rep, 'xlsx'));
    res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').send(await reportXlsx(rep));
  }));
  r.get('/report.html', output((rep, res) => {
    // The printed page carries no script: its charts are SVG drawn on the server.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    res.type('html').send(reportHtml(rep));
  }));
  r.get('/live', supervisorsOnly('the live figures'), async (_req, res, next) => {
    try {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await liveTiles(sources));
    } catch (err) {
      next(err);
    }
  });
  r.get('/stored', supervisorsOnly('the stored reports'), async (_req, res, next) => {
    try {
      res.json({ reports: archive ? await archive.list() : [] });
    } catch (err) {
      next(err);
    }
  });
  r.get('/service', supervisorsOnly('the service measures'), compared(async (p) => (await contactMeasures(sources, p)).service));
  r.get('/cases', compared((p, req) => cases.measures(p, scopeOf(req)), (req) => ({ scope: scopeOf(req) })));
  /** GET /api/reports/league: the departments ranked on time and satisfaction (handlers: their own lines). */
  r.get('/league', compared((p, req) => league(sources, p, scopeOf(req))));
  return r;
}
