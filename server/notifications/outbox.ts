import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../store/index.ts';
import type { OutboxTable } from '../store/schema.ts';

export const CHANNELS = ['sms', 'email', 'fax', 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];
export type OutboxRow = Selectable<OutboxTable>;
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';
type Db = Kysely<Database> | Transaction<Database>;

/** A message to send, as the change that causes it describes it. */
export interface OutgoingMessage {
  kind: string;
  channel: Channel;
  /** A phone number (sms, voice), an email address, or a fax number. */
  to: string;
  lang: string;
  subject?: string;
  body: string;
  caseId?: string;
  /** Not sent before this (a callback call is placed a while after the reply). */
  notBefore?: Date;
}

/**
 * The durable outbox: every outgoing message is a row first, written on the handle of the
 * transaction that causes it, so a message exists exactly when its cause committed. Senders
 * claim due rows one at a time by compare-and-set on the attempt counter, under a lease, so two
 * processes never send the same row and a process that dies mid-send leaves it to the next.
 */
export class Outbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `db`: the handle of the transaction that causes the messages; without it they are their own change (an article an agent sends). */
  async enqueue(messages: OutgoingMessage[], db: Db = this.db): Promise<string[]> {
    if (messages.length === 0) return [];
    const at = this.now().toISOString();
    const rows = messages.map((m) => ({
      id: randomUUID(),
      kind: m.kind,
      channel: m.channel,
      recipient: m.to,
      lang: m.lang,
      subject: m.subject ?? null,
      body: m.body,
      case_id: m.caseId ?? null,
      status: 'queued',
      attempts: 0,
      next_attempt_at: m.notBefore ? m.notBefore.toISOString() : at,
      lease_until: null,
      provider_id: null,
      last_error: null,
      created_at: at,
      sent_at: null,
      updated_at: at,
    }));
    await db.insertInto('outbox').values(rows).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Take up to `limit` due messages for sending: queued ones whose time has come, and ones a
   * sender took but did not finish within its lease. Each is claimed by compare-and-set on its
   * attempt count; a row another process claimed first is skipped.
   */
  async claim(limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const now = this.now();
    const at = now.toISOString();
    const due = await this.db
      .selectFrom('outbox')
      .select(['id', 'attempts'])
      .where((eb) => eb.or([eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', at)]), eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', at)])]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: OutboxRow[] = [];
    for (const d of due) {
      const r = await this.db
        .updateTable('outbox')
        .set({ status: 'sending', attempts: d.attempts + 1, lease_until: new Date(now.getTime() + leaseMs).toISOString(), updated_at: at })
        .where('id', '=', d.id)
        .where('attempts', '=', d.attempts)
        .where('status', 'in', ['queued', 'sending'])
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      claimed.push((await this.get(d.id))!);
    }
    return claimed;
  }

  get(id: string): Promise<OutboxRow | undefined> {
    return this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The messages a case caused, oldest first. */
  forCase(caseId: string): Promise<OutboxRow[]> {
    return this.db.selectFrom('outbox').selectAll().where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute();
  }

  /** The texts queued for these numbers in [from, to), failed ones left out, oldest first: when the centre answered a text conversation. */
  async textsTo(numbers: string[], from: string, to: string): Promise<Array<{ to: string; at: string }>> {
    const out: Array<{ to: string; at: string }> = [];
    for (let i = 0; i < numbers.length; i += 500) {
      const rows = await this.db
        .selectFrom('outbox')
        .select(['recipient', 'created_at'])
        .where('channel', '=', 'sms')
        .where('recipient', 'in', numbers.slice(i, i + 500))
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .where('status', '!=', 'failed')
        .execute();
      for (const r of rows) out.push({ to: r.recipient, at: r.created_at });
    }
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** Handed to the provider. Only the sender that holds the claim (this attempt) may record it. */
  async sent(m: OutboxRow, providerId: string | undefined): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .updateTable('outbox')
      .set({ status: 'sent', provider_id: providerId ?? null, sent_at: at, lease_until: null, last_error: null, updated_at: at })
      .where('id', '=', m.id)
      .where('attempts', '=', m.attempts)
      .where('status', '=', 'sending')
      .execute();
  }

  /** Not sent this time: queued again for `retryAt`, or failed for good when `retryAt` is undefined. */
  async unsent(m: OutboxRow, error: string, retryAt: Date | undefined): Promise<void> {
    const at = this.now().toISOString();
    await this.db
      .updateTable('outbox')
      .set({ status: retryAt ? 'queued' : 'failed', next_attempt_at: retryAt ? retryAt.toISOString() : m.next_attempt_at, lease_until: null, last_error: error.slice(0, 1000), updated_at: at })
      .where('id', '=', m.id)
      .where('attempts', '=', m.attempts)
      .where('status', '=', 'sending')
      .execute();
  }

  /**
   * A delivery report from the provider (Twilio's status callback): the final word on a sent
   * message. Reports may arrive late or twice; only the first final one counts.
   */
  async delivery(providerId: string, status: 'delivered' | 'failed', error?: string): Promise<boolean> {
    const at = this.now().toISOString();
    const r = await this.db
      .updateTable('outbox')
      .set({ status, last_error: error ?? null, updated_at: at })
      .where('provider_id', '=', providerId)
      .where('status', '=', 'sent')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
