import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { repeatEvery } from '../ops/repeat.ts';
import type { Cases, DeadlineMiss } from './service.ts';

/** What the deadline scheduler announces, for notifications (SMS, mail) and the supervisors' view. */
export type CaseDeadlineEvent = { type: 'case.deadline'; at: string } & DeadlineMiss;

/**
 * Runs the deadline scan every `everyMs`. It keeps no state of its own: the deadlines are rows
 * and each miss is recorded once by its key, so any number of processes may run it, and a
 * restart loses and repeats nothing. A scan that fails (the store away) is logged and retried.
 */
export class DeadlineScheduler {
  private readonly emitter = new EventEmitter();
  private loop?: { stop(): Promise<void> };

  constructor(
    private readonly cases: Cases,
    private readonly log: Logger,
    private readonly everyMs = 30_000,
  ) {}

  on(listener: (e: CaseDeadlineEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** One scan; returns what it recorded. */
  async tick(): Promise<DeadlineMiss[]> {
    const misses = await this.cases.scanDeadlines();
    const at = new Date().toISOString();
    for (const m of misses) {
      this.log[m.kind === 'overdue' ? 'warn' : 'info']({ caseId: m.caseId, step: m.step, dueAt: m.dueAt, escalated: m.escalated }, m.kind === 'overdue' ? 'case overdue' : 'case nearing its deadline');
      this.emitter.emit('event', { type: 'case.deadline', at, ...m } satisfies CaseDeadlineEvent);
    }
    return misses;
  }

  start(): void {
    this.loop ??= repeatEvery(this.everyMs, () => this.tick(), (err) => this.log.error({ err }, 'deadline scan failed; retrying at the next interval'));
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
    this.loop = undefined;
  }
}
