/**
 * `npm run bench -- reports`: the reports on a generated history of 3,000,000 calls and
 * 1,000,000 cases (with their moves, texts, answers and take-overs: `hotline demo seed`'s
 * generator), on SQLite and on PostgreSQL. Measured:
 *   - the supervisor's live tiles (today so far, today a full day's volume): goal < 200 ms;
 *   - a monthly report, beside its month before and its year before: the baseline works the
 *     three months out from the calls and cases themselves (as a report would with nothing
 *     kept); the product adds up the kept settled days, as it does once the archive has kept
 *     each day as it settled: goal < 2 s;
 *   - keeping one day (what the archive does once a day, in the background).
 *
 * Flags: --calls N (3,000,000), --cases N (1,000,000), --days N (395: the month a year before
 * has data), --runs N (live-tile runs, 20), --sqlite-only, --postgres-only. PostgreSQL: the
 * project's server (HOTLINE_TEST_POSTGRES or postgres://postgres@127.0.0.1:5432/test), in a
 * schema of its own, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore, type Store } from '../server/store/index.ts';
import { WorkCalendar, chinaMidnight } from '../server/cases/calendar.ts';
import { DeadlinePolicy } from '../server/cases/deadlines.ts';
import { Cases } from '../server/cases/service.ts';
import { seedHistory } from '../server/demo/seed.ts';
import { reportSources } from '../server/reports/sources.ts';
import { ReportsConfig } from '../server/reports/config.ts';
import { buildReport, directRecord, liveTiles } from '../server/reports/report.ts';
import { chinaToday, periodOf, previousPeriod, yearBefore } from '../server/reports/periods.ts';
import { freshPostgres } from '../tests/helpers/postgres.ts';
import { f0, f1, machine, numberArg, table, writeSection } from './lib/report.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const DOC = path.join(REPO, 'docs', 'benchmarks.md');
const LIVE_GOAL_MS = 200;
const MONTH_GOAL_MS = 2000;

const t0 = performance.now();
const progress = (msg: string) => process.stderr.write(`[bench reports +${((performance.now() - t0) / 1000).toFixed(0)}s] ${msg}\n`);

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const a = performance.now();
  const value = await f();
  return { ms: performance.now() - a, value };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

interface Result {
  kind: string;
  seedS: number;
  rows: number;
  callsInMonth: number;
  casesInMonth: number;
  liveP50: number;
  liveP95: number;
  direct: number;
  firstReport: number;
  keptReport: number;
  keepDay: number;
  same: boolean;
}

async function run(kind: 'sqlite' | 'postgres', o: { calls: number; cases: number; days: number; runs: number }): Promise<Result> {
  let store: Store;
  let cleanup: () => Promise<void>;
  if (kind === 'postgres') {
    const pg = await freshPostgres();
    store = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
    cleanup = async () => (await store.close(), await pg.drop());
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-reports-'));
    store = await openStore({ dataDir: dir });
    cleanup = async () => (await store.close(), rmSync(dir, { recursive: true, force: true }));
  }
  try {
    // The history runs to the end of today, so the live tiles read a full day's volume.
    const end = chinaMidnight(chinaToday(1));
    progress(`${kind}: generating ${f0(o.calls)} calls and ${f0(o.cases)} cases over ${o.days} days`);
    const seeded = await timed(() =>
      seedHistory(store, {
        days: o.days,
        end,
        now: end,
        callsPerDay: o.calls / o.days,
        casesPerDay: o.cases / o.days,
        smsPerDay: o.calls / o.days / 5,
        verify: 0,
        onProgress: (p) => {
          if (p.day % 30 === 0 || p.day === p.days) progress(`${kind}: day ${p.day}/${p.days}, ${f0(p.rows.calls)} calls, ${f0(p.rows.cases)} cases`);
        },
      }),
    );
    const rows = Object.values(seeded.value.rows).reduce((a, b) => a + b, 0);
    progress(`${kind}: seeded ${f0(rows)} rows in ${f1(seeded.ms / 1000)} s`);

    const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));
    const sources = reportSources(store.db, new Cases(store.db, policy), ReportsConfig.load(path.join(REPO, 'cases', 'reports.yaml')));

    progress(`${kind}: live tiles × ${o.runs}`);
    const live: number[] = [];
    for (let i = 0; i < o.runs; i++) live.push((await timed(() => liveTiles(sources))).ms);

    // The last whole month, beside the month before and the same month a year before.
    const date = chinaToday(-new Date(Date.now() + 8 * 3600_000).getUTCDate() - 1);
    const month = periodOf('month', date);
    progress(`${kind}: the month of ${date}, worked out from the data itself (baseline)`);
    const direct = await timed(async () => {
      const r = await directRecord(sources, month, {});
      await directRecord(sources, previousPeriod(month, 'month'), {});
      await directRecord(sources, yearBefore(month), {});
      return r;
    });
    progress(`${kind}: the monthly report, first time (keeps the settled days of the three months)`);
    const first = await timed(() => buildReport(sources, { kind: 'month', date }));
    progress(`${kind}: the monthly report from the kept days`);
    const kept = await timed(() => buildReport(sources, { kind: 'month', date }));
    const keepDay = await timed(() => directRecord(sources, periodOf('day', date), {}));
    return {
      kind,
      seedS: seeded.ms / 1000,
      rows,
      callsInMonth: kept.value.current.service?.offered ?? 0,
      casesInMonth: kept.value.current.cases.received,
      liveP50: pct(live, 50),
      liveP95: pct(live, 95),
      direct: direct.ms,
      firstReport: first.ms,
      keptReport: kept.ms,
      keepDay: keepDay.ms,
      // The product's month must be the month's own data, to the digit.
      same: JSON.stringify(kept.value.current) === JSON.stringify(direct.value.figures),
    };
  } finally {
    await cleanup();
  }
}

export async function main(args: string[]): Promise<number> {
  const o = { calls: numberArg(args, '--calls', 3_000_000), cases: numberArg(args, '--cases', 1_000_000), days: numberArg(args, '--days', 395), runs: numberArg(args, '--runs', 20) };
  const kinds = args.includes('--sqlite-only') ? (['sqlite'] as const) : args.includes('--postgres-only') ? (['postgres'] as const) : (['sqlite', 'postgres'] as const);
  const results: Result[] = [];
  for (const k of kinds) results.push(await run(k, o));
  const m = machine();
  const ok = results.every((r) => r.liveP95 < LIVE_GOAL_MS && r.keptReport < MONTH_GOAL_MS && r.same);
  const md = [
    '## reports',
    '',
    `\`npm run bench -- reports\` on ${m.cpu} (${m.cores} cores, ${f1(m.memoryGiB)} GiB), Node ${m.node}, ${m.os}, ${m.date.slice(0, 10)}.`,
    `History: ${f0(o.calls)} calls and ${f0(o.cases)} cases over ${o.days} days (with their moves, texts, knowledge answers and take-overs), generated by \`hotline demo seed\`'s generator; today is a full day's volume.`,
    '',
    table(
      ['store', 'rows seeded', 'calls / cases in the month', 'live tiles p50 / p95 (ms)', 'month from the data (baseline, ms)', 'month, first (keeps its days, ms)', 'month from kept days (ms)', 'keep one day (ms)', 'kept = data'],
      results.map((r) => [r.kind, f0(r.rows), `${f0(r.callsInMonth)} / ${f0(r.casesInMonth)}`, `${f0(r.liveP50)} / ${f0(r.liveP95)}`, f0(r.direct), f0(r.firstReport), f0(r.keptReport), f0(r.keepDay), r.same ? 'yes' : 'NO']),
    ),
    '',
    `Goals: live tiles under ${LIVE_GOAL_MS} ms, a monthly report (with its month before and year before) under ${MONTH_GOAL_MS / 1000} s — ${ok ? 'met' : 'NOT met'}.`,
    'The baseline reads the three months\' calls, texts and cases; the product adds up the settled days the archive keeps, one a day in the background (the last column), and works out afresh only days still settling. "First" is a month with no day kept yet: it works the days out and keeps them.',
  ].join('\n');
  writeSection(DOC, '## reports', md);
  process.stdout.write(`${md}\n`);
  return ok ? 0 : 1;
}
