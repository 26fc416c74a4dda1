import type { Logger } from '../log.ts';
import type { Channel, Outbox, OutboxRow } from './outbox.ts';

/** Why a message could not be sent; `permanent` when trying again cannot help (a number that does not exist). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** Hands one message to its provider; resolves with the provider's id for it. */
export interface ChannelSender {
  send(m: OutboxRow): Promise<{ providerId?: string }>;
}

export interface DispatcherOptions {
  /** How often due messages are looked for when nothing wakes the dispatcher sooner. */
  everyMs?: number;
  batch?: number;
  /** How long a claimed message is ours before another process may take it over. */
  leaseMs?: number;
  maxAttempts?: number;
  /** The first retry waits this long; each next one twice as long, up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/** The wait before attempt `attempts + 1`: exponential, capped, with up to a quarter of jitter so retries spread out. */
export function backoff(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.75 + 0.25 * random()));
}

/**
 * Sends what the outbox holds. Any number of processes may run one: each message is claimed
 * before it is sent, so none is sent twice, and one that a process took and never finished
 * (it died) is taken over when its lease runs out. Sending failures are retried with
 * exponential backoff; after `maxAttempts`, or at once for a permanent error, the message is
 * marked failed with the reason.
 */
export class OutboxDispatcher {
  private readonly o: Required<DispatcherOptions>;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly outbox: Outbox,
    private readonly senders: Partial<Record<Channel, ChannelSender>>,
    private readonly log: Logger,
    opts: DispatcherOptions = {},
  ) {
    this.o = { everyMs: 5000, batch: 50, leaseMs: 60_000, maxAttempts: 8, backoffBaseMs: 30_000, backoffMaxMs: 3_600_000, ...opts };
  }

  /** One pass: sends every message due now. Returns how many were handled. */
  async tick(): Promise<number> {
    let handled = 0;
    for (;;) {
      const batch = await this.outbox.claim(this.o.batch, this.o.leaseMs);
      for (const m of batch) await this.deliver(m);
      handled += batch.length;
      if (batch.length < this.o.batch || this.stopped) return handled;
    }
  }

  private async deliver(m: OutboxRow): Promise<void> {
    const sender = this.senders[m.channel as Channel];
    try {
      if (!sender) throw new SendError(`no ${m.channel} channel is configured`);
      const { providerId } = await sender.send(m);
      await this.outbox.sent(m, providerId);
      this.log.info({ outbox: m.id, kind: m.kind, channel: m.channel, to: m.recipient, caseId: m.case_id ?? undefined, attempt: m.attempts }, 'message sent');
    } catch (err) {
      const permanent = err instanceof SendError && err.permanent;
      const last = permanent || m.attempts >= this.o.maxAttempts;
      const retryAt = last ? undefined : new Date(Date.now() + backoff(m.attempts, this.o.backoffBaseMs, this.o.backoffMaxMs));
      await this.outbox.unsent(m, (err as Error).message, retryAt);
      this.log[last ? 'error' : 'warn'](
        { outbox: m.id, kind: m.kind, channel: m.channel, to: m.recipient, caseId: m.case_id ?? undefined, attempt: m.attempts, error: (err as Error).message, retryAt: retryAt?.toISOString() },
        last ? 'message failed for good' : 'message not sent; will retry',
      );
    }
  }

  /** Look now (a change just queued messages) instead of at the next interval. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick()
      .then(() => undefined)
      .catch((err: unknown) => this.log.error({ err }, 'outbox pass failed; retrying at the next interval'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.o.everyMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.running;
  }
}
