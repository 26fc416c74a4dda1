import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Logger } from '../log.ts';
import { repeatEvery } from '../ops/repeat.ts';
import type { Period } from '../cases/measures.ts';
import { chinaToday, periodOf, type PeriodKind } from './periods.ts';
import type { Report } from './types.ts';
import { SETTLED_AFTER_MS } from './days.ts';

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

  /**
   * Makes and stores the report of each kind whose last period has closed and is not stored
   * yet, and makes it once more when the period has settled (first-contact resolution looks
   * 72 hours past its end), so the stored report is final; returns those stored.
   */
  async run(): Promise<Array<{ kind: PeriodKind; from: string }>> {
    const now = this.now();
    const yesterday = chinaToday(-1, now);
    await this.settle(chinaToday(-4, now));
    const made: Array<{ kind: PeriodKind; from: string }> = [];
    for (const kind of KINDS) {
      // The period just closed, and the one that has just settled (for a day, three days before).
      for (const date of new Set([yesterday, chinaToday(-4, now)])) {
        try {
          if (await this.store(kind, periodOf(kind, date), date)) made.push({ kind, from: periodOf(kind, date).from });
        } catch (err) {
          // One period's failure does not keep the others from being stored.
          this.log.error({ err, kind, date }, 'storing a closed period’s report failed; retrying at the next interval');
        }
      }
    }
    return made;
  }

  private async store(kind: PeriodKind, period: Period, date: string): Promise<boolean> {
    const now = this.now().getTime();
    // The week or month holding the date has closed only once the next one has begun.
    if (Date.parse(period.to) > now) return false;
    const settledAt = new Date(Date.parse(period.to) + SETTLED_AFTER_MS).toISOString();
    const settled = now >= Date.parse(settledAt);
    const stored = await this.db.selectFrom('reports').select('generated_at').where('kind', '=', kind).where('period_from', '=', period.from).executeTakeFirst();
    if (stored && (stored.generated_at >= settledAt || !settled)) return false;
    const started = Date.now();
    const report = await this.make(kind, date);
    const row = { kind, period_from: period.from, period_to: period.to, generated_at: report.generatedAt, body: JSON.stringify(report) };
    const written = stored
      ? await this.db.updateTable('reports').set(row).where('kind', '=', kind).where('period_from', '=', period.from).where('generated_at', '=', stored.generated_at).executeTakeFirst()
      : await this.db.insertInto('reports').values(row).onConflict((oc) => oc.columns(['kind', 'period_from']).doNothing()).executeTakeFirst();
    const n = Number(('numUpdatedRows' in written ? written.numUpdatedRows : written.numInsertedOrUpdatedRows) ?? 0);
    if (n === 1) this.log.info({ kind, from: period.from, final: settled, ms: Date.now() - started }, 'report of the closed period stored');
    return n === 1;
  }

  start(everyMs = 5 * 60_000): void {
    this.loop ??= repeatEvery(everyMs, () => this.run(), (err) => this.log.error({ err }, 'storing the closed period’s report failed; retrying at the next interval'));
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
