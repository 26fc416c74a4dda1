import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/** Which agent holds a call they took over. One row per call: the first agent to claim it wins, whichever node they are on. */
export class Assignments {
  constructor(private readonly db: Kysely<Database>) {}

  /** The holder after the claim: `username` if it was free (or already theirs). */
  async claim(callSid: string, username: string): Promise<string> {
    await this.db
      .insertInto('call_assignments')
      .values({ call_sid: callSid, username, at: new Date().toISOString() })
      .onConflict((oc) => oc.column('call_sid').doNothing())
      .execute();
    const r = await this.db.selectFrom('call_assignments').select('username').where('call_sid', '=', callSid).executeTakeFirst();
    return r?.username ?? username;
  }

  /** The call is free again (the take-over failed, or the agent did not answer). */
  async release(callSid: string, username?: string): Promise<void> {
    let q = this.db.deleteFrom('call_assignments').where('call_sid', '=', callSid);
    if (username) q = q.where('username', '=', username);
    await q.execute();
  }
}
