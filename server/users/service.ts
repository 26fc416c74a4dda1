import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export const ROLES = ['agent', 'handler', 'supervisor', 'editor', 'ops', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  username: string;
  roles: Role[];
  /** Department codes a handler acts for. */
  departments: string[];
  mustChangePassword: boolean;
}

export class UserError extends Error {}

const SESSION_HOURS = 12;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const newSecret = () => randomBytes(24).toString('base64url');
// Verifying against this when the user does not exist keeps a wrong name as slow as a wrong
// password. Made on the first sign-in, not when the module loads (every CLI command imports it).
let dummyHash: Promise<string> | undefined;

/**
 * Users, roles and sign-in: passwords hashed with argon2id, sessions and API tokens stored
 * only as SHA-256 hashes of random tokens.
 */
export class Users {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds a user; without a password one is generated and returned (shown once, never stored). */
  async add(u: { username: string; roles: Role[]; departments?: string[]; password?: string; mustChangePassword?: boolean }): Promise<{ password: string }> {
    if (!/^[a-z0-9][a-z0-9._-]{1,63}$/i.test(u.username)) throw new UserError(`user name ${JSON.stringify(u.username)}: use 2–64 letters, digits, . _ -`);
    if (u.roles.length === 0 || u.roles.some((r) => !(ROLES as readonly string[]).includes(r))) throw new UserError(`roles must be some of ${ROLES.join(', ')}`);
    if (u.roles.includes('handler') && !u.departments?.length) throw new UserError('a department handler needs at least one --department');
    const password = u.password ?? newSecret();
    if (password.length < 12) throw new UserError('a password needs at least 12 characters');
    const exists = await this.db.selectFrom('users').select('username').where('username', '=', u.username).executeTakeFirst();
    if (exists) throw new UserError(`user ${u.username} already exists`);
    await this.db
      .insertInto('users')
      .values({
        username: u.username,
        password_hash: await hash(password),
        roles: JSON.stringify(u.roles),
        departments: JSON.stringify(u.departments ?? []),
        must_change_password: u.mustChangePassword ? 1 : 0,
        created_at: this.now().toISOString(),
      })
      .execute();
    return { password };
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async get(username: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return r && { username: r.username, roles: JSON.parse(r.roles), departments: JSON.parse(r.departments), mustChangePassword: r.must_change_password === 1 };
  }

  /** The user if the password is right; undefined otherwise (as slowly either way). */
  async check(username: string, password: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').select('password_hash').where('username', '=', username).executeTakeFirst();
    const ok = await verify(r?.password_hash ?? (await (dummyHash ??= hash('not a password of anyone'))), password).catch(() => false);
    return ok && r ? this.get(username) : undefined;
  }

  async changePassword(username: string, password: string): Promise<void> {
    if (password.length < 12) throw new UserError('a password needs at least 12 characters');
    await this.db.updateTable('users').set({ password_hash: await hash(password), must_change_password: 0 }).where('username', '=', username).execute();
  }

  /** A browser session (expires) or an API token (until revoked); the token is returned once. */
  async issue(username: string, kind: 'session' | 'api'): Promise<string> {
    const token = newSecret() + newSecret();
    const now = this.now();
    await this.db
      .insertInto('user_sessions')
      .values({ token_hash: tokenHash(token), username, kind, created_at: now.toISOString(), expires_at: kind === 'session' ? new Date(now.getTime() + SESSION_HOURS * 3600_000).toISOString() : null })
      .execute();
    return token;
  }

  async revoke(token: string): Promise<void> {
    await this.db.deleteFrom('user_sessions').where('token_hash', '=', tokenHash(token)).execute();
  }

  /** Who a session cookie or bearer token belongs to, if it is valid. */
  async byToken(token: string, kind: 'session' | 'api'): Promise<User | undefined> {
    const s = await this.db.selectFrom('user_sessions').select(['username', 'expires_at']).where('token_hash', '=', tokenHash(token)).where('kind', '=', kind).executeTakeFirst();
    if (!s || (s.expires_at && s.expires_at <= this.now().toISOString())) return undefined;
    return this.get(s.username);
  }
}
