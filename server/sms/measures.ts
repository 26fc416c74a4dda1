import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Period } from '../cases/measures.ts';
import type { ContactSummary } from '../voice/measures.ts';

/** One text conversation as the SMS measures need it (docs/reports.md). */
export interface TextRecord {
  id: string;
  from: string;
  startedAt: string;
  /** answered_in_menu | handed_off | abandoned | null (still open). */
  outcome: string | null;
  /** When it ended: for a hand-off, the moment it was handed to a person. */
  endedAt: string | null;
}

/** The text conversations started in a period. */
export async function textRecord(db: Kysely<Database>, period: Period): Promise<TextRecord[]> {
  const rows = await db.selectFrom('sms_sessions').select(['id', 'from_number', 'started_at', 'outcome', 'ended_at']).where('started_at', '>=', period.from).where('started_at', '<', period.to).execute();
  return rows.map((r) => ({ id: r.id, from: r.from_number, startedAt: r.started_at, outcome: r.outcome, endedAt: r.ended_at }));
}

/** Who texted, and when, in a period. */
export async function texters(db: Kysely<Database>, period: Period): Promise<Array<{ from: string; at: string }>> {
  const rows = await db.selectFrom('sms_sessions').select(['from_number', 'started_at']).where('started_at', '>=', period.from).where('started_at', '<', period.to).execute();
  return rows.map((r) => ({ from: r.from_number, at: r.started_at }));
}

/** The text channel's record, for the reports. */
export class TextRecords {
  constructor(private readonly db: Kysely<Database>) {}

  /** The text conversations started in a period. */
  record(period: Period): Promise<TextRecord[]> {
    return textRecord(this.db, period);
  }

  /** A text conversation's summary. */
  async summary(id: string): Promise<ContactSummary | undefined> {
    const r = await this.db.selectFrom('sms_sessions').select(['from_number', 'started_at', 'ended_at', 'outcome', 'path']).where('id', '=', id).executeTakeFirst();
    return r && { sid: id, channel: 'sms', from: r.from_number, startedAt: r.started_at, endedAt: r.ended_at, outcome: r.outcome, path: JSON.parse(r.path) as string[] };
  }

  /** Who texted in a period, and when. */
  senders(period: Period): Promise<Array<{ from: string; at: string }>> {
    return texters(this.db, period);
  }
}
