import type { Kysely } from 'kysely';
import { chinaDate } from '../cases/calendar.ts';
import type { Cases } from '../cases/service.ts';
import type { Departments } from '../departments/service.ts';
import type { Logger } from '../log.ts';
import { repeatEvery } from '../ops/repeat.ts';
import type { Database } from '../store/index.ts';
import type { Outbox } from './outbox.ts';
import { chinaTime, STEP_NAMES } from './policy.ts';
import type { Templates } from './templates.ts';

const MAX_LISTED = 500;

/**
 * The supervisors' morning mail of every case past a deadline. Each China day it is sent once,
 * by whichever process first records the day in `notification_runs` — in the transaction that
 * queues the mail — so restarts and several processes neither skip nor repeat it.
 */
export class OverdueDigest {
  private loop?: { stop(): Promise<void> };

  constructor(
    private readonly d: {
      db: Kysely<Database>;
      cases: Cases;
      departments: Departments;
      outbox: Outbox;
      templates: Templates;
      supervisors: readonly string[];
      log: Logger;
      wake: () => void;
      /** China-time hour from which the day's digest is due. */
      hour?: number;
      now?: () => Date;
    },
  ) {}

  /** Sends today's digest if it is due and nobody has; returns the number of cases listed, or undefined when nothing was sent. */
  async run(): Promise<number | undefined> {
    if (this.d.supervisors.length === 0) return undefined;
    const now = (this.d.now ?? (() => new Date()))();
    if (new Date(now.getTime() + 8 * 3600_000).getUTCHours() < (this.d.hour ?? 8)) return undefined;
    const day = chinaDate(now);
    const listed = await this.d.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('notification_runs')
        .values({ name: 'digest.overdue', period: day, at: now.toISOString() })
        .onConflict((oc) => oc.columns(['name', 'period']).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
      const late = await this.d.cases.overdue(MAX_LISTED, trx);
      if (late.length === 0) return 0; // nothing late: the day is recorded, no mail
      const names = new Map((await this.d.departments.list(trx)).map((x) => [x.code, x.name]));
      const lines = late.map((c) => `${c.id}  ${c.department ? (names.get(c.department) ?? c.department) : '（未派单）'}  ${STEP_NAMES[c.due_step ?? ''] ?? c.due_step}时限 ${chinaTime(c.due_at)}  ${c.category}`);
      const mail = this.d.templates.email('digest.overdue', 'zh-CN', { date: day, count: String(late.length), cases: lines.join('\n') });
      if (!mail) return undefined;
      await this.d.outbox.enqueue(this.d.supervisors.map((to) => ({ kind: 'digest.overdue', channel: 'email' as const, to, lang: 'zh-CN', subject: mail.subject, body: mail.body })), trx);
      return late.length;
    });
    if (listed) {
      this.d.log.info({ day, overdue: listed }, 'overdue digest queued for the supervisors');
      this.d.wake();
    }
    return listed;
  }

  start(everyMs = 60_000): void {
    this.loop ??= repeatEvery(everyMs, () => this.run(), (err) => this.d.log.error({ err }, 'overdue digest failed; retrying at the next interval'));
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
