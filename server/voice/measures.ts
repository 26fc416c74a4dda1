import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Period } from '../cases/measures.ts';

/** What the voice channel knows of the calls citizens made in a period (docs/reports.md). */
export interface VoiceRecord {
  /** Inbound calls started in the period. */
  offered: number;
  /** Ended in the menu with no agent: answered there, by the menu or the knowledge base. */
  answeredInMenu: number;
  /** Hung up in the menu before reaching anything. */
  abandonedInMenu: number;
  failed: number;
  /** Calls that went to a human, with when they started and when they asked, and how many menu states they passed. */
  toHuman: Array<{ callSid: string; startedAt: string; handedOffAt: string; steps: number }>;
}

/** The inbound calls of a period as the voice channel recorded them. */
export async function voiceRecord(db: Kysely<Database>, period: Period): Promise<VoiceRecord> {
  const rows = await db
    .selectFrom('calls')
    .select(['call_sid', 'outcome', 'started_at', 'handed_off_at', 'path'])
    .where('started_at', '>=', period.from)
    .where('started_at', '<', period.to)
    .where('direction', '=', 'inbound')
    .execute();
  const out: VoiceRecord = { offered: rows.length, answeredInMenu: 0, abandonedInMenu: 0, failed: 0, toHuman: [] };
  for (const r of rows) {
    if (r.handed_off_at) {
      // The path lists every state entered; the last is the hand-off itself.
      out.toHuman.push({ callSid: r.call_sid, startedAt: r.started_at, handedOffAt: r.handed_off_at, steps: Math.max(0, (JSON.parse(r.path) as string[]).length - 1) });
    } else if (r.outcome === 'answered_in_menu') out.answeredInMenu++;
    else if (r.outcome === 'abandoned') out.abandonedInMenu++;
    else if (r.outcome === 'failed') out.failed++;
  }
  return out;
}
