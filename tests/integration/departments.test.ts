import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

describe('the department catalogue supervisors keep current (/api/departments)', () => {
  let t: TestHotline;
  const cookies: Record<string, string> = {};
  const people: Array<[string, Array<'agent' | 'supervisor' | 'handler'>, string[]]> = [
    ['agent-li', ['agent'], []],
    ['sup-chen', ['supervisor'], []],
    ['market-zhao', ['handler'], ['MARKET']],
    ['new-sun', ['handler'], ['NEW_BUREAU']],
  ];
  const signIn = async (url: string, username: string) => {
    const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username} password!` }) });
    cookies[username] = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  };

  beforeAll(async () => {
    t = await startHotline();
    for (const [username, roles, departments] of people) {
      await t.hotline.users.add({ username, roles, departments, password: `${username} password!` });
      await signIn(t.url, username);
    }
  });
  afterAll(async () => t.close());

  const call = async (who: string, method: string, path: string, body?: unknown, base = t.url) => {
    const res = await fetch(`${base}/api${path}`, { method, headers: { cookie: cookies[who]!, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  const lamp = { type: '求助', category: '城市管理/市容', callerPhone: '+8613800138000', description: '小区门口路灯坏了三天', channel: 'voice' };

  it('is seeded from cases/routing.yaml on first start and readable by everyone signed in', async () => {
    const res = await call('market-zhao', 'GET', '/departments');
    expect(res.status).toBe(200);
    expect(res.body.fallback).toBe('CENTER');
    const byCode = new Map(res.body.departments.map((d: { code: string }) => [d.code, d]));
    expect(byCode.get('HRSS')).toMatchObject({ name: '示例市人力资源和社会保障局', active: true, notifyBy: 'email', updatedBy: 'cases/routing.yaml' });
    expect(byCode.size).toBe(t.hotline.router.file.departments.length);
    expect((await fetch(`${t.url}/api/departments`)).status).toBe(401);
  });

  it('only supervisors change it, and a change is validated and audited', async () => {
    expect((await call('agent-li', 'PATCH', '/departments/HRSS', { email: 'cases@hrss.example.gov.cn' })).status).toBe(403);
    expect((await call('market-zhao', 'POST', '/departments', { code: 'X', name: 'x' })).status).toBe(403);
    const bad = await call('sup-chen', 'PATCH', '/departments/HRSS', { email: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('email');
    // Notified by fax needs a fax number.
    expect((await call('sup-chen', 'PATCH', '/departments/HRSS', { notifyBy: 'fax' })).body.message).toMatch(/no fax number/);
    const ok = await call('sup-chen', 'PATCH', '/departments/HRSS', { email: 'cases@hrss.example.gov.cn', fax: '+862087654321', notifyBy: 'fax', name: '示例市人社局' });
    expect(ok.status).toBe(200);
    expect(ok.body.department).toMatchObject({ code: 'HRSS', name: '示例市人社局', notifyBy: 'fax', fax: '+862087654321', updatedBy: 'sup-chen' });
    expect((await call('agent-li', 'GET', '/departments/HRSS')).body.department.email).toBe('cases@hrss.example.gov.cn');
    expect((await call('sup-chen', 'PATCH', '/departments/GHOST', { name: '鬼' })).status).toBe(404);
    const audit = await new (await import('../../server/users/audit.ts')).AuditLog(t.hotline.store.db).entries('HRSS');
    expect(audit.map((a) => `${a.username} ${a.action}`)).toEqual(['sup-chen department.update']);
  });

  it('a new department takes cases at once: dispatched to, seen by its handler, suggested for its articles', async () => {
    const made = await call('sup-chen', 'POST', '/departments', { code: 'NEW_BUREAU', name: '示例市数据局', email: 'desk@data.example.gov.cn' });
    expect(made.status).toBe(201);
    expect((await call('sup-chen', 'POST', '/departments', { code: 'NEW_BUREAU', name: '重复' })).status).toBe(409);
    expect((await call('sup-chen', 'POST', '/departments', { code: 'lower-case', name: '坏代码' })).status).toBe(400);
    const id = (await call('agent-li', 'POST', '/cases', lamp)).body.case.id as string;
    expect((await call('agent-li', 'POST', `/cases/${id}/events`, { type: 'DISPATCH', department: 'NEW_BUREAU' })).status).toBe(201);
    expect((await call('new-sun', 'POST', `/cases/${id}/events`, { type: 'ACCEPT' })).status).toBe(201);
  });

  it('no case is dispatched to a department that is inactive or unknown, and routing passes over it', async () => {
    expect((await call('agent-li', 'POST', '/cases', lamp)).body.suggestedDepartment).toEqual({ department: 'CITY', because: 'rule 4' });
    expect((await call('sup-chen', 'PATCH', '/departments/CITY', { active: false })).body.department.active).toBe(false);
    const created = await call('agent-li', 'POST', '/cases', lamp);
    expect(created.body.suggestedDepartment).toEqual({ department: 'CENTER', because: 'fallback' });
    const id = created.body.case.id as string;
    const refused = await call('agent-li', 'POST', `/cases/${id}/events`, { type: 'DISPATCH', department: 'CITY' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'bad_department', message: expect.stringMatching(/CITY .* takes no new cases/) });
    expect((await call('agent-li', 'POST', `/cases/${id}/events`, { type: 'DISPATCH', department: 'GHOST' })).body.error).toBe('bad_department');
    // Nothing was recorded for the refused moves.
    expect((await call('agent-li', 'GET', `/cases/${id}/events`)).body.events.map((e: { type: string }) => e.type)).toEqual(['CREATE']);
    // The fallback desk cannot stop taking cases.
    const fallback = await call('sup-chen', 'PATCH', '/departments/CENTER', { active: false });
    expect(fallback.status).toBe(400);
    expect(fallback.body.message).toMatch(/fallback/);
  });

  it('keeps the supervisors’ changes across a restart: the file seeds, it never overwrites', async () => {
    const dataDir = t.dataDir;
    const databaseUrl = t.config.databaseUrl;
    await t.hotline.close();
    const again = await startHotline({ HOTLINE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' });
    try {
      await signIn(again.url, 'agent-li');
      const list = (await call('agent-li', 'GET', '/departments', undefined, again.url)).body.departments as Array<Record<string, unknown>>;
      expect(list.find((d) => d.code === 'HRSS')).toMatchObject({ name: '示例市人社局', notifyBy: 'fax', updatedBy: 'sup-chen' });
      expect(list.find((d) => d.code === 'CITY')).toMatchObject({ active: false });
      expect(list.find((d) => d.code === 'NEW_BUREAU')).toMatchObject({ name: '示例市数据局' });
    } finally {
      await again.hotline.close();
    }
  });
});
