/**
 * `npm run bench -- cases`: the case store with 1,000,000 generated cases, on SQLite and on
 * PostgreSQL: case creation per second (through `Cases.create`, with its numbering, event row
 * and deadline), the deadline scheduler's query, and a department's inbox — each with its query
 * plan. Goal: the scan and the inbox under 100 ms at 1M cases.
 *
 * Flags: --cases N (default 1,000,000), --no-write, --sqlite-only. PostgreSQL: the project's
 * server (postgres://postgres@127.0.0.1:5432/test, or HOTLINE_TEST_POSTGRES), in a schema of
 * its own that is dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { CasesTable } from '../server/store/schema.ts';
import { WorkCalendar } from '../server/cases/calendar.ts';
import { DeadlinePolicy } from '../server/cases/deadlines.ts';
import { caseLifecycle, newCase } from '../server/cases/lifecycle.ts';
import { caseNumber } from '../server/cases/number.ts';
import { Cases } from '../server/cases/service.ts';
import { openStore, type Database, type Store } from '../server/store/index.ts';
import { freshPostgres } from '../tests/helpers/postgres.ts';
import { f0, f1, machine, numberArg, table, writeSection } from './lib/report.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const DOC = path.join(REPO, 'docs', 'benchmarks.md');
const GOAL_MS = 100;
const DEPARTMENTS = Array.from({ length: 20 }, (_, i) => `D${String(i + 1).padStart(2, '0')}`);
const OPEN = ['dispatched', 'accepted', 'in_progress', 'returned'] as const;

const t0 = performance.now();
const progress = (msg: string) => process.stderr.write(`[bench cases +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

/** 1M cases over the last year: 5 % open (half of them past their deadline), the rest closed or merged. */
async function generate(db: Kysely<Database>, total: number, now: number): Promise<void> {
  const snapshot = JSON.stringify(caseLifecycle.getPersistedSnapshot(newCase({ returnWindowHours: 24, maxExtensions: 2 })));
  let rand = 12345;
  const next = () => ((rand = (rand * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const batch = 400; // × 22 columns: under both dialects' parameter limits
  let day = '';
  let seq = 0;
  for (let done = 0; done < total; done += batch) {
    const rows: Insertable<CasesTable>[] = [];
    for (let i = done; i < Math.min(total, done + batch); i++) {
      const created = new Date(now - 365 * 86_400_000 + (i / total) * 365 * 86_400_000);
      const d = created.toISOString().slice(0, 10);
      seq = d === day ? seq + 1 : 1;
      day = d;
      const open = next() < 0.05;
      const dueAt = open ? new Date(now + (next() - 0.5) * 60 * 86_400_000).toISOString() : null;
      rows.push({
        id: caseNumber(d, seq),
        type: '求助',
        category: '城市管理/路灯',
        urgency: 'normal',
        caller_phone: `+86138${String(Math.floor(next() * 1e8)).padStart(8, '0')}`,
        caller_name: null,
        district: `区${Math.floor(next() * 12)}`,
        address: null,
        description: '生成的工单',
        channel: 'voice',
        call_sid: null,
        article_id: null,
        department: DEPARTMENTS[Math.floor(next() * DEPARTMENTS.length)]!,
        state: open ? OPEN[Math.floor(next() * OPEN.length)]! : next() < 0.97 ? 'closed' : 'merged',
        snapshot,
        version: 5,
        due_step: open ? 'reply' : null,
        due_at: dueAt,
        warn_at: dueAt,
        // Open cases past their deadline were mostly handled by earlier scans already (nothing
        // left to check); one in fifty has come due since the last scan.
        next_check_at: dueAt && (dueAt > new Date(now).toISOString() || next() < 0.02) ? dueAt : null,
        lang: 'zh-CN',
        lat: null,
        lng: null,
        pin: null,
        created_at: created.toISOString(),
        updated_at: created.toISOString(),
      });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('cases').values(rows).execute();
    });
    if ((done / batch) % 250 === 0) progress(`  ${f0(done)}/${f0(total)} cases`);
  }
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ p50: number; max: number }> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await fn();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! };
}

async function plan(store: Store, q: { compile(): { sql: string; parameters: readonly unknown[] } }): Promise<string> {
  const c = q.compile();
  if (store.dialect === 'sqlite') {
    const r = await store.db.executeQuery<{ detail: string }>({ ...c, sql: `explain query plan ${c.sql}`, query: undefined as never, queryId: undefined as never });
    return r.rows.map((x) => x.detail).join('; ');
  }
  const r = await store.db.executeQuery<{ 'QUERY PLAN': string }>({ ...c, sql: `explain ${c.sql}`, query: undefined as never, queryId: undefined as never });
  return r.rows.map((x) => x['QUERY PLAN'].trim()).join(' → ');
}

interface Result {
  store: string;
  generateS: number;
  createSeq: number;
  createConc: number;
  scan: { p50: number; max: number };
  scanPlan: string;
  scanRows: number;
  inbox: { p50: number; max: number };
  inboxPlan: string;
  inboxRows: number;
}

async function runOn(kind: 'sqlite' | 'postgres', total: number): Promise<Result> {
  progress(`${kind}: opening a fresh store`);
  let cleanup: () => Promise<void>;
  let store: Store;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-cases-'));
    store = await openStore({ dataDir: dir, backgroundCheckpoints: true });
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const pg = await freshPostgres();
    store = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
    cleanup = pg.drop;
  }
  try {
    const now = Date.now();
    progress(`${kind}: generating ${f0(total)} cases`);
    let s = performance.now();
    await generate(store.db, total, now);
    const generateS = (performance.now() - s) / 1000;
    if (kind === 'postgres') await sql`analyze cases`.execute(store.db);
    else await sql`analyze`.execute(store.db);

    const cases = new Cases(store.db, DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), new WorkCalendar()));
    const input = { type: '投诉' as const, category: '市场监管/价格', urgency: 'normal' as const, callerPhone: '+8613800138000', description: '价格不符', channel: 'voice' as const, by: 'bench' };
    progress(`${kind}: creating cases through Cases.create`);
    s = performance.now();
    for (let i = 0; i < 500; i++) await cases.create(input);
    const createSeq = 500 / ((performance.now() - s) / 1000);
    s = performance.now();
    await Promise.all(Array.from({ length: 2000 }, () => cases.create(input)));
    const createConc = 2000 / ((performance.now() - s) / 1000);

    progress(`${kind}: the scheduler's query and a department's inbox`);
    const nowIso = new Date(now).toISOString();
    const scanQ = cases.dueForCheck(nowIso);
    const inboxQ = cases.inbox('D07');
    const scanRows = (await scanQ.execute()).length;
    const inboxRows = (await inboxQ.execute()).length;
    const scan = await timeIt(30, () => scanQ.execute());
    const inbox = await timeIt(30, () => inboxQ.execute());
    return { store: kind, generateS, createSeq, createConc, scan, scanPlan: await plan(store, scanQ), scanRows, inbox, inboxPlan: await plan(store, inboxQ), inboxRows };
  } finally {
    await store.close();
    await cleanup();
  }
}

export async function main(args: string[]): Promise<number> {
  const total = numberArg(args, '--cases', 1_000_000);
  const m = machine();
  progress(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}`);
  const results: Result[] = [await runOn('sqlite', total)];
  if (!args.includes('--sqlite-only')) results.push(await runOn('postgres', total));
  const verdict = (ms: number) => (ms < GOAL_MS ? '**PASS**' : '**MISS**');
  const md = [
    '## cases',
    '',
    `\`npm run bench -- cases\` — last run ${m.date}.`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}. PostgreSQL 15 on the same machine.`,
    '',
    `What runs: ${f0(total)} generated cases over one year (20 departments; 5 % open, half of those past their deadline — one in fifty of them not yet seen by a scan, the rest already handled; the rest closed or merged), inserted in batches; then 500 cases created one after another and 2,000 at once through \`Cases.create\` (day number, case row, first event, deadline), then the deadline scheduler's query (\`Cases.dueForCheck\`: cases whose next check time has come, 500 at most) and a department's inbox (\`Cases.inbox\`: its open cases, newest 50), each run 30 times after one warm-up.`,
    '',
    table(
      ['', ...results.map((r) => r.store)],
      [
        [`generate ${f0(total)} cases`, ...results.map((r) => `${f1(r.generateS)} s`)],
        ['create, one after another', ...results.map((r) => `${f0(r.createSeq)} /s`)],
        ['create, 2,000 at once', ...results.map((r) => `${f0(r.createConc)} /s`)],
        ['deadline scan p50 / max', ...results.map((r) => `${f1(r.scan.p50)} / ${f1(r.scan.max)} ms (${r.scanRows} rows) ${verdict(r.scan.max)}`)],
        ['department inbox p50 / max', ...results.map((r) => `${f1(r.inbox.p50)} / ${f1(r.inbox.max)} ms (${r.inboxRows} rows) ${verdict(r.inbox.max)}`)],
      ],
    ),
    '',
    'Query plans:',
    '',
    ...results.flatMap((r) => [`- ${r.store}, deadline scan: \`${r.scanPlan}\``, `- ${r.store}, inbox: \`${r.inboxPlan}\``]),
    '',
  ].join('\n');
  process.stdout.write(`\n${md}\n`);
  if (!args.includes('--no-write')) {
    writeSection(DOC, '## cases', md);
    progress('wrote docs/benchmarks.md (## cases)');
  }
  return 0;
}
