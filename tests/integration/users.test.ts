import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startHotline, type TestHotline } from '../helpers/hotline.ts';

const run = promisify(execFile);

describe('users, roles and sign-in', () => {
  let t: TestHotline;
  beforeAll(async () => {
    t = await startHotline();
  });
  afterAll(async () => t.close());

  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const login = async (username: string, password: string) => {
    const res = await post('/api/login', { username, password });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { res, cookie, body: (await res.json()) as Record<string, unknown> };
  };
  const get = (p: string, headers: Record<string, string>) => fetch(`${t.url}${p}`, { headers });

  it('creates a first-run admin whose one-time password must be changed before anything else', async () => {
    const once = t.hotline.firstAdminPassword!;
    expect(once.length).toBeGreaterThanOrEqual(24);
    expect(t.rawLogs.join('\n')).not.toContain(once);
    const { res, cookie, body } = await login('admin', once);
    expect(res.status).toBe(200);
    expect(body.mustChangePassword).toBe(true);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict; Max-Age=43200$/); // no Secure over plain http
    expect((await get('/api/flows', { cookie })).status).toBe(403);
    expect((await post('/api/password', { password: once, newPassword: 'a new admin password 2026' }, { cookie })).status).toBe(204);
    expect((await get('/api/flows', { cookie })).status).toBe(200);
    expect((await login('admin', once)).res.status).toBe(401);
    const row = await t.hotline.store.db.selectFrom('users').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('lets each role reach what it needs and nothing else', async () => {
    await t.hotline.users.add({ username: 'agent-li', roles: ['agent'], password: 'agent password 123' });
    await t.hotline.users.add({ username: 'ops-wu', roles: ['ops'], password: 'ops password 1234' });
    const agent = (await login('agent-li', 'agent password 123')).cookie;
    expect((await get('/api/knowledge/search?q=社保卡丢了', { cookie: agent })).status).toBe(200);
    expect((await get('/api/flows', { cookie: agent })).status).toBe(403);
    const opsToken = await t.hotline.users.issue('ops-wu', 'api');
    expect((await get('/api/flows', { authorization: `Bearer ${opsToken}` })).status).toBe(200);
    expect((await get('/api/flows', {})).status).toBe(401);
    expect((await get('/api/flows', { authorization: 'Bearer not-a-token' })).status).toBe(401);
    // Signing out ends the session.
    expect((await post('/api/logout', {}, { cookie: agent })).status).toBe(204);
    expect((await get('/api/knowledge/search?q=x', { cookie: agent })).status).toBe(401);
  });

  it('slows password guessing: after 5 failures for a name even the right password waits', async () => {
    await t.hotline.users.add({ username: 'target', roles: ['agent'], password: 'the right password' });
    for (let i = 0; i < 5; i++) expect((await login('target', `guess ${i}`)).res.status).toBe(401);
    const blocked = await login('target', 'the right password');
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post('/api/login', { username: 'target' })).status).toBe(400);
    // A second server process on the same store counts the same guesses.
    const other = await startHotline({ HOTLINE_DATA_DIR: t.dataDir, DATABASE_URL: t.config.databaseUrl ?? '' });
    try {
      const res = await fetch(`${other.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'target', password: 'the right password' }) });
      expect(res.status).toBe(429);
      // Another name from another server is still let in.
      const fine = await fetch(`${other.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent-li', password: 'agent password 123' }) });
      expect(fine.status).toBe(200);
    } finally {
      await other.hotline.close();
    }
  });

  it('`hotline users add` writes to the store the server uses, honouring HOTLINE_DATA_DIR and DATABASE_URL', async () => {
    const env = { ...process.env, HOTLINE_DATA_DIR: t.dataDir, DATABASE_URL: t.config.databaseUrl ?? '' };
    const out = await run(process.execPath, ['bin/hotline.mjs', 'users', 'add', 'handler-zhao', '--role', 'handler', '--department', 'HRSS'], { cwd: REPO, env });
    const password = /password: (\S+)/.exec(out.stdout)?.[1];
    expect(password).toBeDefined();
    const { res, body } = await login('handler-zhao', password!);
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ roles: ['handler'], departments: ['HRSS'] });
    const failed = await run(process.execPath, ['bin/hotline.mjs', 'users', 'add', 'handler-zhao', '--role', 'agent'], { cwd: REPO, env }).catch((e: { code: number; stderr: string }) => e);
    expect((failed as { code: number }).code).not.toBe(0);
    expect((failed as { stderr: string }).stderr).toMatch(/already exists/);
    // A department the catalogue does not have is refused, with the codes it does have.
    const ghost = await run(process.execPath, ['bin/hotline.mjs', 'users', 'add', 'handler-ghost', '--role', 'handler', '--department', 'GHOST'], { cwd: REPO, env }).catch((e: { code: number; stderr: string }) => e);
    expect((ghost as { code: number }).code).not.toBe(0);
    expect((ghost as { stderr: string }).stderr).toMatch(/unknown department GHOST; the catalogue has .*HRSS/);
    expect(await t.hotline.users.get('handler-ghost')).toBeUndefined();
  });
});
