import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/**
 * Failed sign-ins per user name and per address in a sliding window: guessing is slowed to a
 * handful of tries, while a colleague mistyping once is not locked out. Counted in the store,
 * so several server processes behind one balancer share the count.
 */
export class LoginLimiter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly perUser = 5,
    private readonly perAddress = 20,
    private readonly windowMs = 15 * 60_000,
  ) {}

  private static keys(username: string, address: string): [string, string] {
    return [`u:${username.slice(0, 200)}`, `a:${address}`];
  }

  /** Seconds to wait before trying again, or 0. */
  async retryAfter(username: string, address: string, now = Date.now()): Promise<number> {
    const [user, addr] = LoginLimiter.keys(username, address);
    const rows = await this.db
      .selectFrom('login_failures')
      .select((eb) => ['key', eb.fn.countAll<number | string>().as('n'), eb.fn.min('at').as('first')])
      .where('key', 'in', [user, addr])
      .where('at', '>', new Date(now - this.windowMs).toISOString())
      .groupBy('key')
      .execute();
    let wait = 0;
    for (const r of rows) {
      if (Number(r.n) < (r.key === user ? this.perUser : this.perAddress)) continue;
      wait = Math.max(wait, Math.ceil((Date.parse(r.first as string) + this.windowMs - now) / 1000));
    }
    return wait;
  }

  async failed(username: string, address: string, now = Date.now()): Promise<void> {
    const at = new Date(now).toISOString();
    await this.db.insertInto('login_failures').values(LoginLimiter.keys(username, address).map((key) => ({ key, at }))).execute();
    // Failures older than the window count for nothing; a flood of made-up names must not grow the table for ever.
    await this.db.deleteFrom('login_failures').where('at', '<=', new Date(now - this.windowMs).toISOString()).execute();
  }
}
