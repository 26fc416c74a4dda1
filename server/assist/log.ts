import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { CallEvent, CallEventType } from '../events.ts';
import type { LiveEvent } from './protocol.ts';

/** How long a call without an end event still counts as live (Twilio drops calls after 4 h). */
const LIVE_HOURS = 6;
/** An ended call stays in the panels' lists this long. */
const ENDED_VISIBLE_MS = 2 * 60_000;

let counter = 0;
const node = randomBytes(3).toString('hex');

/**
 * Sortable across nodes by time; unique by node and a counter that never restarts (events
 * are not stored in the order of their timestamps, so a per-millisecond counter could repeat).
 */
export function eventId(now = Date.now()): string {
  counter = (counter + 1) % 36 ** 6;
  return `${String(now).padStart(13, '0')}-${node}${counter.toString(36).padStart(6, '0')}`;
}

/**
 * The record of every call event the agent panel shows. Each event is written once, by the
 * node where it happened, before it is pushed; a panel that reconnects reads the calls again
 * from here, so nothing it showed is lost, whichever node it reconnects to.
 */
export class CallLog {
  constructor(private readonly db: Kysely<Database>) {}

  async append(event: CallEvent): Promise<LiveEvent> {
    const id = eventId(Date.parse(event.at) || Date.now());
    await this.db.insertInto('call_events').values({ id, call_sid: event.callSid, type: event.type, at: event.at, body: JSON.stringify(event) }).execute();
    return { ...event, id };
  }

  /** The events of these calls, in order; only the given types when `types` is set. */
  async history(callSids: string[], types?: readonly CallEventType[]): Promise<Map<string, LiveEvent[]>> {
    const out = new Map<string, LiveEvent[]>();
    if (callSids.length === 0) return out;
    let q = this.db.selectFrom('call_events').select(['id', 'call_sid', 'body']).where('call_sid', 'in', callSids);
    if (types) q = q.where('type', 'in', [...types]);
    for (const r of await q.orderBy('id').execute()) {
      const list = out.get(r.call_sid) ?? [];
      list.push({ ...(JSON.parse(r.body) as CallEvent), id: r.id });
      out.set(r.call_sid, list);
    }
    return out;
  }

  /** Calls that started in the last hours and have not ended (or ended moments ago). */
  async live(now = new Date()): Promise<string[]> {
    const since = new Date(now.getTime() - LIVE_HOURS * 3600_000).toISOString();
    const endedBefore = new Date(now.getTime() - ENDED_VISIBLE_MS).toISOString();
    const rows = await this.db
      .selectFrom('call_events as s')
      .select('s.call_sid')
      .where('s.type', '=', 'call.started')
      .where('s.at', '>=', since)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('call_events as e')
              .select('e.id')
              .whereRef('e.call_sid', '=', 's.call_sid')
              .where('e.type', '=', 'call.ended')
              .where('e.at', '<', endedBefore),
          ),
        ),
      )
      .execute();
    return rows.map((r) => r.call_sid);
  }

  /** The call's latest event of this type (its start, its end). */
  async latest<T extends CallEventType>(callSid: string, type: T): Promise<Extract<LiveEvent, { type: T }> | undefined> {
    const r = await this.db.selectFrom('call_events').select(['id', 'body']).where('call_sid', '=', callSid).where('type', '=', type).orderBy('id', 'desc').limit(1).executeTakeFirst();
    return r && ({ ...(JSON.parse(r.body) as CallEvent), id: r.id } as Extract<LiveEvent, { type: T }>);
  }
}
