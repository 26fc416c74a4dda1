import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/** Which agent holds a call they took over. One row per call: the first agent to claim it wins, whichever node they are on. */
export class Assignments {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The holder after the claim: `username` if it was free (or already theirs). */
  async claim(callSid: string, username: string): Promise<string> {
    await this.db
      .insertInto('call_assignments')
      .values({ call_sid: callSid, username, at: this.now().toISOString() })
      .onConflict((oc) => oc.column('call_sid').doNothing())
      .execute();
    const r = await this.db.selectFrom('call_assignments').select('username').where('call_sid', '=', callSid).executeTakeFirst();
    return r?.username ?? username;
  }

  /**
   * When agents took these calls over (the calls they hold), by call. `within`: when they can
   * have been taken (the calls were live then), so one range read replaces a lookup per call.
   */
  async takenAt(callSids: string[], within?: { from: string; to: string }): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (within && callSids.length > 500) {
      const wanted = new Set(callSids);
      const rows = await this.db.selectFrom('call_assignments').select(['call_sid', 'at']).where('at', '>=', within.from).where('at', '<', within.to).execute();
      for (const r of rows) if (wanted.has(r.call_sid)) out.set(r.call_sid, r.at);
      return out;
    }
    for (let i = 0; i < callSids.length; i += 500) {
      const rows = await this.db.selectFrom('call_assignments').select(['call_sid', 'at']).where('call_sid', 'in', callSids.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.call_sid, r.at);
    }
    return out;
  }

  /** The call is free again (the agent's take-over failed, or they did not answer); only their own claim is released. */
  async release(callSid: string, username: string): Promise<void> {
    await this.db.deleteFrom('call_assignments').where('call_sid', '=', callSid).where('username', '=', username).execute();
  }
}
