import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import { DEFAULT_VOLUMES, seedHistory, type SeedProgress } from '../demo/seed.ts';

const n = (x: number) => x.toLocaleString('en-US');

/** A positive number from an option, or a message saying what was wrong. */
function positive(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) throw new DemoError(`--${name} must be a positive ${integer ? 'whole ' : ''}number, not ${value}`);
  return x;
}

class DemoError extends Error {}

interface SeedFlags {
  days: string;
  scale?: string;
  callsPerDay?: string;
  smsPerDay?: string;
  casesPerDay?: string;
  seed: string;
  force?: boolean;
}

/** `hotline demo seed`: a generated history in the store, so reports have something to show on the first start. */
export function registerDemo(program: Command): void {
  const demo = program.command('demo').description('generated demo data for trying the hotline out');
  demo
    .command('seed')
    .description('fill the store (HOTLINE_DATA_DIR / DATABASE_URL) with a generated history of calls, texts and cases ending yesterday; the server need not run')
    .option('--days <n>', 'days of history, ending yesterday (China time)', '90')
    .option('--scale <x>', 'multiply every daily volume (e.g. 0.1 for a quick look, 10 for a big city)')
    .option('--calls-per-day <n>', `mean inbound calls a day (default ${DEFAULT_VOLUMES.callsPerDay})`)
    .option('--sms-per-day <n>', `mean text conversations a day (default ${DEFAULT_VOLUMES.smsPerDay})`)
    .option('--cases-per-day <n>', `mean cases a day (default ${DEFAULT_VOLUMES.casesPerDay})`)
    .option('--seed <n>', 'the same seed gives the same history', '12345')
    .option('--force', 'seed even a store that already has calls or cases (the history is added beside them)')
    .action(async (o: SeedFlags) => {
      try {
        await seed(o);
      } catch (err) {
        if (!(err instanceof DemoError)) throw err;
        console.error(`hotline: ${err.message}`);
        process.exitCode = 1;
      }
    });
}

async function seed(o: SeedFlags): Promise<void> {
  const days = positive('days', o.days, true)!;
  if (days > 3660) throw new DemoError('--days at most 3660 (ten years)');
  const options = {
    days,
    scale: positive('scale', o.scale),
    callsPerDay: positive('calls-per-day', o.callsPerDay),
    smsPerDay: positive('sms-per-day', o.smsPerDay),
    casesPerDay: positive('cases-per-day', o.casesPerDay),
    seed: Number.isInteger(Number(o.seed)) ? Number(o.seed) : undefined,
  };
  if (options.seed === undefined) throw new DemoError(`--seed must be a whole number, not ${o.seed}`);
  const config = loadConfig();
  const where = config.databaseUrl ? 'the PostgreSQL store of DATABASE_URL' : `the store in ${path.join(config.dataDir, 'hotline.sqlite')}`;
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const count = async (table: 'cases' | 'calls') => Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
    const [cases, calls] = [await count('cases'), await count('calls')];
    if ((cases || calls) && !o.force) {
      throw new DemoError(
        `${where} already has ${n(cases)} case(s) and ${n(calls)} call(s); demo seed fills an empty store. Use a fresh HOTLINE_DATA_DIR (or DATABASE_URL), or pass --force to add the generated history beside what is there.`,
      );
    }
    const tty = process.stderr.isTTY;
    let shown = 0;
    const progress = (p: SeedProgress) => {
      const rows = Object.values(p.rows).reduce((a, b) => a + b, 0);
      const line = `seeding ${p.date}  day ${p.day}/${p.days}  ${n(p.rows.calls)} calls  ${n(p.rows.sms_sessions)} texts  ${n(p.rows.cases)} cases  ${n(rows)} rows  ${(p.elapsedMs / 1000).toFixed(1)} s`;
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
      else if (p.day === p.days || p.elapsedMs - shown >= 2000) {
        process.stderr.write(`${line}\n`);
        shown = p.elapsedMs;
      }
    };
    process.stderr.write(`seeding ${where} with ${days} day(s) of generated history …\n`);
    const r = await seedHistory(store, { ...options, casesDir: config.casesDir, knowledgeDir: config.knowledgeDir, notificationsDir: config.notificationsDir, onProgress: progress });
    if (tty) process.stderr.write('\n');
    const total = Object.values(r.rows).reduce((a, b) => a + b, 0);
    console.log(
      `seeded ${r.from} to ${r.to} (China time) in ${(r.ms / 1000).toFixed(1)} s: ${n(r.rows.calls)} calls, ${n(r.rows.sms_sessions)} text conversations, ${n(r.rows.cases)} cases with ${n(r.rows.case_events)} moves; ${n(total)} rows in all. ${n(r.open)} cases are still open (${n(r.overdue)} past a deadline).`,
    );
    console.log('Start the hotline with `npm start` and sign in: the reports, the wallboard and the inboxes have data.');
  } finally {
    await store.close();
  }
}
