import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Period } from '../cases/measures.ts';

/** One inbound call as the service measures need it (docs/reports.md). */
export interface CallRecord {
  callSid: string;
  from: string;
  startedAt: string;
  /** answered_in_menu | handed_off | abandoned | failed | null (still in the menu). */
  outcome: string | null;
  /** When the menu handed it to a person, and how many menu states it passed before. */
  handedOffAt: string | null;
  steps: number;
}

/** What the voice channel knows of the inbound calls of a period (callbacks we placed are left out). */
export interface VoiceRecord {
  calls: CallRecord[];
}

/** The inbound calls of a period as the voice channel recorded them. */
export async function voiceRecord(db: Kysely<Database>, period: Period): Promise<VoiceRecord> {
  const rows = await db
    .selectFrom('calls')
    .select(['call_sid', 'from_number', 'outcome', 'started_at', 'handed_off_at', 'path'])
    .where('started_at', '>=', period.from)
    .where('started_at', '<', period.to)
    .where('direction', '=', 'inbound')
    .execute();
  return {
    calls: rows.map((r) => ({
      callSid: r.call_sid,
      from: r.from_number,
      startedAt: r.started_at,
      outcome: r.handed_off_at ? 'handed_off' : r.outcome,
      handedOffAt: r.handed_off_at,
      // The path lists every state entered; the last is the hand-off itself.
      steps: r.handed_off_at ? Math.max(0, (JSON.parse(r.path) as string[]).length - 1) : 0,
    })),
  };
}

/** Who called, and when, in a period: repeat contacts for first-contact resolution. */
export async function callers(db: Kysely<Database>, period: Period): Promise<Array<{ from: string; at: string }>> {
  const rows = await db.selectFrom('calls').select(['from_number', 'started_at']).where('started_at', '>=', period.from).where('started_at', '<', period.to).where('direction', '=', 'inbound').execute();
  return rows.map((r) => ({ from: r.from_number, at: r.started_at }));
}

/** One contact as a supervisor reads it afterwards: when, how it ended, and the menu states it passed. */
export interface ContactSummary {
  sid: string;
  channel: 'voice' | 'sms';
  from: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
  path: string[];
}

/** An inbound or outbound call's summary. */
export async function callSummary(db: Kysely<Database>, sid: string): Promise<ContactSummary | undefined> {
  const r = await db.selectFrom('calls').select(['call_sid', 'from_number', 'started_at', 'ended_at', 'outcome', 'handed_off_at', 'path']).where('call_sid', '=', sid).executeTakeFirst();
  return r && { sid, channel: 'voice', from: r.from_number, startedAt: r.started_at, endedAt: r.ended_at, outcome: r.handed_off_at ? 'handed_off' : r.outcome, path: JSON.parse(r.path) as string[] };
}
