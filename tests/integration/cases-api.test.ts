import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

describe('/api/cases over HTTP', () => {
  let t: TestHotline;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await startHotline();
    const people: Array<[string, Parameters<TestHotline['hotline']['users']['add']>[0]['roles'], string[]]> = [
      ['agent-li', ['agent'], []],
      ['sup-chen', ['supervisor'], []],
      ['market-zhao', ['handler'], ['MARKET']],
      ['hrss-wang', ['handler'], ['HRSS']],
      ['editor-he', ['editor'], []],
    ];
    for (const [username, roles, departments] of people) {
      await t.hotline.users.add({ username, roles, departments, password: `${username} password!` });
      const res = await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username} password!` }) });
      cookies[username] = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
  });
  afterAll(async () => t.close());

  const call = async (who: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${t.url}/api/cases${path}`, { method, headers: { cookie: cookies[who]!, 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };
  const complaint = { type: '投诉', category: '市场监管/价格', callerPhone: '+8613800138000', callerName: '张先生', district: '东城区', description: '超市结账价格比标价高', channel: 'voice' };

  it('an agent opens a case and is told where it should go; a complaint then walks through to closed with one illegal move refused', async () => {
    const created = await call('agent-li', 'POST', '', complaint);
    expect(created.status).toBe(201);
    expect(created.body.suggestedDepartment).toEqual({ department: 'MARKET', because: 'rule 6' });
    const id = created.body.case.id as string;
    expect(created.body.case).toMatchObject({ state: 'received', stateName: '受理', caller: { phone: '+8613800138000' } });

    expect((await call('agent-li', 'POST', `/${id}/events`, { type: 'DISPATCH', department: 'HRSS' })).status).toBe(201);
    expect((await call('hrss-wang', 'POST', `/${id}/events`, { type: 'RETURN', reason: '价格问题归市场监管' })).body.case.state).toBe('returned');
    expect((await call('agent-li', 'POST', `/${id}/events`, { type: 'REDISPATCH', department: 'MARKET' })).status).toBe(201);
    // HRSS no longer sees it; MARKET does.
    expect((await call('hrss-wang', 'GET', `/${id}`)).status).toBe(404);
    expect((await call('market-zhao', 'POST', `/${id}/events`, { type: 'ACCEPT' })).status).toBe(201);
    // A handler cannot approve their own extension; a supervisor can.
    expect((await call('market-zhao', 'POST', `/${id}/events`, { type: 'REQUEST_EXTENSION', reason: '需核查', workingDays: 3 })).status).toBe(201);
    expect((await call('market-zhao', 'POST', `/${id}/events`, { type: 'APPROVE_EXTENSION' })).status).toBe(403);
    expect((await call('sup-chen', 'POST', `/${id}/events`, { type: 'APPROVE_EXTENSION' })).status).toBe(201);
    expect((await call('market-zhao', 'POST', `/${id}/events`, { type: 'REPLY' })).status).toBe(201);
    const illegal = await call('market-zhao', 'POST', `/${id}/events`, { type: 'ACCEPT' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.message).toMatch(/回复 \(replied\) cannot take ACCEPT/);
    expect((await call('agent-li', 'POST', `/${id}/events`, { type: 'CALLBACK', satisfied: true })).status).toBe(201);
    // A move on a stale version is refused.
    expect((await call('agent-li', 'POST', `/${id}/events`, { type: 'CLOSE' }, { 'if-match': '3' })).status).toBe(409);
    const closed = await call('agent-li', 'POST', `/${id}/events`, { type: 'CLOSE' });
    expect(closed.body.case).toMatchObject({ state: 'closed', extensions: 1 });
    const history = await call('agent-li', 'GET', `/${id}/events`);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['CREATE', 'DISPATCH', 'RETURN', 'REDISPATCH', 'ACCEPT', 'REQUEST_EXTENSION', 'APPROVE_EXTENSION', 'REPLY', 'CALLBACK', 'CLOSE']);
  });

  it('a case opened from a knowledge article is suggested to that article’s department', async () => {
    const res = await call('agent-li', 'POST', '', { ...complaint, type: '咨询', category: '住房公积金/提取', description: '租房能不能取公积金', articleId: 'housing-fund-withdrawal-rent' });
    expect(res.status).toBe(201);
    expect(res.body.suggestedDepartment).toEqual({ department: 'HOUSING_FUND', because: 'article' });
  });

  it('a department handler sees only their departments’ cases, also when guessing case numbers', async () => {
    const mine = (await call('agent-li', 'POST', '', complaint)).body.case.id as string;
    const theirs = (await call('agent-li', 'POST', '', { ...complaint, category: '劳动权益/欠薪', description: '拖欠工资' })).body.case.id as string;
    await call('agent-li', 'POST', `/${mine}/events`, { type: 'DISPATCH', department: 'MARKET' });
    await call('agent-li', 'POST', `/${theirs}/events`, { type: 'DISPATCH', department: 'HRSS' });
    expect((await call('market-zhao', 'GET', `/${mine}`)).status).toBe(200);
    // Another department's case, the next numbers, and malformed ones all look the same: not found.
    const guesses = [theirs, String(Number(theirs) + 10), '99999999999', 'abc', '../cases'];
    for (const g of guesses) expect((await call('market-zhao', 'GET', `/${encodeURIComponent(g)}`)).status, g).toBe(404);
    expect((await call('market-zhao', 'POST', `/${theirs}/events`, { type: 'ACCEPT' })).status).toBe(404);
    // The listing shows only MARKET's cases, even when asking for HRSS's.
    const listed = await call('market-zhao', 'GET', '?department=HRSS,MARKET&limit=200');
    expect(listed.body.cases.length).toBeGreaterThan(0);
    expect(listed.body.cases.every((c: { department: string }) => c.department === 'MARKET')).toBe(true);
    expect((await call('market-zhao', 'GET', '?department=HRSS')).body.cases).toEqual([]);
    // Roles without case work get nothing.
    expect((await call('editor-he', 'GET', '')).status).toBe(403);
    expect((await call('market-zhao', 'POST', '', complaint)).status).toBe(403);
  });

  it('writes every read of a case to the audit log', async () => {
    const id = (await call('agent-li', 'POST', '', complaint)).body.case.id as string;
    await call('agent-li', 'POST', `/${id}/events`, { type: 'DISPATCH', department: 'MARKET' });
    await call('market-zhao', 'GET', `/${id}`);
    await call('sup-chen', 'GET', `?state=dispatched&limit=200`);
    const rows = await t.hotline.store.db.selectFrom('audit_log').selectAll().where('subject', '=', id).orderBy('at').execute();
    expect(rows.map((r) => `${r.username}:${r.action}`)).toEqual(expect.arrayContaining(['market-zhao:case.read', 'sup-chen:case.list']));
  });

  it('filters and pages with a cursor: every case once, newest first', async () => {
    for (let i = 0; i < 7; i++) await call('agent-li', 'POST', '', { ...complaint, type: '建议', description: `建议 ${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: Record<string, any> } = await call('sup-chen', 'GET', `?type=建议&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.cases.map((c: { id: string }) => c.id));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect([...seen].sort().reverse()).toEqual(seen);
    expect((await call('sup-chen', 'GET', '?cursor=garbage')).status).toBe(400);
    const bad = await call('agent-li', 'POST', '', { ...complaint, type: '吐槽' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('type');
  });

  it('describes itself at /api/openapi.json with the schemas that validate the requests', async () => {
    const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as Record<string, any>;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/api/cases', '/api/cases/{id}', '/api/cases/{id}/events', '/api/departments', '/api/departments/{code}']);
    expect(doc.components.schemas.DepartmentChange.properties.notifyBy.enum).toEqual(['email', 'fax']);
    expect(doc.components.schemas.NewCase.properties.type.enum).toEqual(['咨询', '求助', '投诉', '举报', '建议']);
  });
});
