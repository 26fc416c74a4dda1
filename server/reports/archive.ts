import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Logger } from '../log.ts';
import { repeatEvery } from '../ops/repeat.ts';
import type { Period } from '../cases/measures.ts';
import { chinaToday, periodOf, type PeriodKind } from './periods.ts';
import type { Report } from './types.ts';

const KINDS: PeriodKind[] = ['day', 'week', 'month'];

/**
 * The centre's reports of closed periods, as they were made after each day, week and month
 * closed. Each is stored once, by whichever process inserts it first; the store is the memory,
 * so a restart neither skips nor repeats one.
 */
export class ReportArchive {
  private loop?: { stop(): Promise<void> };

  constructor(
    private readonly db: Kysely<Database>,
    private readonly make: (kind: PeriodKind, date: string) => Promise<Report>,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Keeps the figures of the day that has just settled (72 h after its end), so no report has to work them out. */
    private readonly settle: (date: string) => Promise<unknown> = async () => undefined,
  ) {}

  async get(kind: PeriodKind, period: Period): Promise<Report | undefined> {
    const row = await this.db.selectFrom('reports').select('body').where('kind', '=', kind).where('period_from', '=', period.from).executeTakeFirst();
    return row && (JSON.parse(row.body) as Report);
  }

  async list(limit = 100): Promise<Array<{ kind: string; from: string; to: string; generatedAt: string }>> {
    const rows = await this.db.selectFrom('reports').select(['kind', 'period_from', 'period_to', 'generated_at']).orderBy('period_from', 'desc').orderBy('kind').limit(limit).execute();
    return rows.map((r) => ({ kind: r.kind, from: r.period_from, to: r.period_to, generatedAt: r.generated_at }));
  }

  /** Makes and stores the report of each kind whose last period has closed and is not stored yet; returns those stored. */
  async run(): Promise<Array<{ kind: PeriodKind; from: string }>> {
    const yesterday = chinaToday(-1, this.now());
    await this.settle(chinaToday(-4, this.now()));
    const made: Array<{ kind: PeriodKind; from: string }> = [];
    for (const kind of KINDS) {
      const period = periodOf(kind, yesterday);
      // The week or month holding yesterday has closed only if today starts the next one.
      if (Date.parse(period.to) > this.now().getTime()) continue;
      if (await this.get(kind, period)) continue;
      const started = Date.now();
      const report = await this.make(kind, yesterday);
      const stored = await this.db
        .insertInto('reports')
        .values({ kind, period_from: period.from, period_to: period.to, generated_at: report.generatedAt, body: JSON.stringify(report) })
        .onConflict((oc) => oc.columns(['kind', 'period_from']).doNothing())
        .executeTakeFirst();
      if (Number(stored.numInsertedOrUpdatedRows ?? 0) === 1) {
        made.push({ kind, from: period.from });
        this.log.info({ kind, from: period.from, ms: Date.now() - started }, 'report of the closed period stored');
      }
    }
    return made;
  }

  start(everyMs = 5 * 60_000): void {
    this.loop ??= repeatEvery(everyMs, () => this.run(), (err) => this.log.error({ err }, 'storing the closed period’s report failed; retrying at the next interval'));
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
