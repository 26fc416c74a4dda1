import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { Cases, type NewCase } from '../../server/cases/service.ts';
import { openStore, type Store } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshPostgres, testStore } from '../helpers/postgres.ts';

const cn = (local: string) => new Date(`${local}+08:00`);
/** October 2026 in China time. */
const OCTOBER = { from: cn('2026-10-01T00:00:00').toISOString(), to: cn('2026-11-01T00:00:00').toISOString() };

/**
 * The case measures on a small history built through the cases capability itself, with the
 * answers worked out by hand below (on SQLite and on PostgreSQL).
 */
describe(`case measures on the ${testStore()} store`, () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let clock = cn('2026-09-28T09:00:00');
  let cases: Cases;

  beforeAll(async () => {
    if (testStore() === 'postgres') {
      const pg = await freshPostgres();
      store = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
      cleanup = pg.drop;
    } else {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-reports-'));
      store = await openStore({ dataDir: dir });
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));
    cases = new Cases(store.db, policy, { returnWindowHours: 24, maxExtensions: 2 }, () => clock);

    const at = (local: string) => (clock = cn(local));
    const open = (c: Partial<NewCase> & Pick<NewCase, 'type' | 'category' | 'channel'>) => cases.create({ urgency: 'normal', callerPhone: '+8613800138000', description: '测试', by: 'agent-li', ...c });
    const move = (id: string, m: Record<string, unknown>) => cases.act(id, { by: 'someone', ...m } as never);

    // D: opened in September; accepted, replied and rated (满意) in October.
    at('2026-09-28T09:00:00');
    const d = await open({ type: '投诉', category: '市场监管/消费维权', district: '东城区', channel: 'voice' });
    at('2026-09-28T09:20:00');
    await move(d.id, { type: 'DISPATCH', department: 'MARKET' });
    at('2026-10-02T10:00:00');
    await move(d.id, { type: 'ACCEPT' });
    at('2026-10-05T10:00:00');
    await move(d.id, { type: 'REPLY', note: '已处理' });
    at('2026-10-06T10:00:00');
    await cases.rate(d.id, 'satisfied', 'agent-li');

    // A: the quick one, rated 满意.
    at('2026-10-08T09:00:00');
    const a = await open({ type: '投诉', category: '市场监管/消费维权', district: '东城区', channel: 'voice' });
    at('2026-10-08T09:30:00');
    await move(a.id, { type: 'DISPATCH', department: 'MARKET' });
    at('2026-10-08T10:00:00');
    await move(a.id, { type: 'ACCEPT' });
    at('2026-10-09T10:00:00');
    await move(a.id, { type: 'REPLY', note: '已退款' });
    at('2026-10-10T10:00:00');
    await cases.rate(a.id, 'satisfied', 'agent-li');

    // C: sent back, sent elsewhere, more time, replied, rated 基本满意.
    at('2026-10-20T09:00:00');
    const c = await open({ type: '咨询', category: '社会保障/社保卡', district: '西城区', channel: 'voice' });
    at('2026-10-20T09:10:00');
    await move(c.id, { type: 'DISPATCH', department: 'HRSS' });
    at('2026-10-20T11:00:00');
    await move(c.id, { type: 'RETURN', reason: '不属于本部门' });
    at('2026-10-21T09:00:00');
    await move(c.id, { type: 'REDISPATCH', department: 'HEALTHCARE' });
    at('2026-10-21T10:00:00');
    await move(c.id, { type: 'ACCEPT' });
    at('2026-10-22T10:00:00');
    await move(c.id, { type: 'REQUEST_EXTENSION', reason: '需要核实', workingDays: 2 });
    at('2026-10-22T11:00:00');
    await move(c.id, { type: 'APPROVE_EXTENSION' });
    at('2026-10-23T10:00:00');
    await move(c.id, { type: 'REPLY', note: '已答复' });
    at('2026-10-24T10:00:00');
    await cases.rate(c.id, 'basic', 'agent-li');

    // B: by SMS, dispatched, then nobody accepts it until the scheduler finds it late and escalates it.
    at('2026-10-12T09:00:00');
    const b = await open({ type: '求助', category: '社会保障/社保卡', district: '西城区', channel: 'sms' });
    at('2026-10-12T09:10:00');
    await move(b.id, { type: 'DISPATCH', department: 'HRSS' });
    at('2026-10-30T09:00:00');
    await cases.scanDeadlines();
    await cases.scanDeadlines();
    at('2026-10-30T10:00:00');
    await move(b.id, { type: 'ACCEPT' });
    at('2026-10-30T11:00:00');
    await move(b.id, { type: 'REPLY', note: '已补办' });
    at('2026-10-30T12:00:00');
    await cases.rate(b.id, 'dissatisfied', 'agent-li');

    // E: November, outside the period.
    at('2026-11-02T09:00:00');
    const e = await open({ type: '建议', category: '城市管理/路灯', district: '东城区', channel: 'web' });
    await move(e.id, { type: 'DISPATCH', department: 'CITY' });
  }, 60_000);

  afterAll(async () => {
    await store.close();
    await cleanup();
  });

  it('counts October for the whole centre as worked out by hand', async () => {
    const m = await cases.measures(OCTOBER);
    // Received in October: A, B, C (D was opened in September, E in November).
    expect(m.received).toBe(3);
    expect(m.byType).toEqual([{ key: '咨询', count: 1 }, { key: '投诉', count: 1 }, { key: '求助', count: 1 }].sort((x, y) => x.key.localeCompare(y.key)));
    expect(m.byCategory).toEqual([{ key: '社会保障/社保卡', count: 2 }, { key: '市场监管/消费维权', count: 1 }]);
    expect(m.byDistrict).toEqual([{ key: '西城区', count: 2 }, { key: '东城区', count: 1 }]);
    expect(m.byChannel).toEqual([{ key: 'voice', count: 2 }, { key: 'sms', count: 1 }]);
    // By the department each case is with now: C went from HRSS to HEALTHCARE.
    expect(m.byDepartment).toEqual([{ key: 'HEALTHCARE', count: 1 }, { key: 'HRSS', count: 1 }, { key: 'MARKET', count: 1 }]);
    // Moves made in October: D's dispatch was in September.
    expect(m.dispatched).toBe(3);
    expect(m.onTime.dispatch).toEqual({ numerator: 3, denominator: 3, rate: 1 });
    // Accepted in October: D, A, C on time, B after its deadline was recorded missed.
    expect(m.onTime.accept).toEqual({ numerator: 3, denominator: 4, rate: 0.75 });
    expect(m.onTime.reply).toEqual({ numerator: 4, denominator: 4, rate: 1 });
    expect(m).toMatchObject({ returned: 1, redispatched: 1, extensionsRequested: 1, extensionsApproved: 1, escalations: 1, merged: 0, reopened: 1, replied: 4 });
    // Four replies, four callbacks: D 满意, A 满意, C 基本满意, B 不满意.
    expect(m.callbackReach).toEqual({ numerator: 4, denominator: 4, rate: 1 });
    expect(m.ratings).toEqual({ satisfied: 2, basic: 1, dissatisfied: 1 });
    expect(m.satisfaction).toEqual({ numerator: 3, denominator: 4, rate: 0.75 });
  });

  it('gives a department only its own cases', async () => {
    // HRSS holds B only (C left for HEALTHCARE).
    const hrss = await cases.measures(OCTOBER, { departments: ['HRSS'] });
    expect(hrss.received).toBe(1);
    expect(hrss.byChannel).toEqual([{ key: 'sms', count: 1 }]);
    expect(hrss.onTime.accept).toEqual({ numerator: 0, denominator: 1, rate: 0 });
    expect(hrss).toMatchObject({ dispatched: 1, escalations: 1, reopened: 1, returned: 0 });
    expect(hrss.satisfaction).toEqual({ numerator: 0, denominator: 1, rate: 0 });
    const none = await cases.measures(OCTOBER, { departments: [] });
    expect(none.received).toBe(0);
    expect(none.satisfaction.rate).toBeNull();
  });

  it('counts September and November apart', async () => {
    const sept = await cases.measures({ from: cn('2026-09-01T00:00:00').toISOString(), to: OCTOBER.from });
    expect(sept).toMatchObject({ received: 1, dispatched: 1, replied: 0 });
    const nov = await cases.measures({ from: OCTOBER.to, to: cn('2026-12-01T00:00:00').toISOString() });
    expect(nov).toMatchObject({ received: 1, dispatched: 1 });
    expect(nov.byChannel).toEqual([{ key: 'web', count: 1 }]);
  });
});

describe('GET /api/reports/cases', () => {
  let t: import('../helpers/hotline.ts').TestHotline;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    const { startHotline } = await import('../helpers/hotline.ts');
    const { login } = await import('../helpers/panel.ts');
    t = await startHotline();
    for (const [username, roles, departments] of [
      ['sup', ['supervisor'], []],
      ['hana', ['handler'], ['HRSS']],
      ['alice', ['agent'], []],
    ] as const) {
      await t.hotline.users.add({ username, roles: [...roles], departments: [...departments], password: `${username} password!` });
      cookies[username] = await login(t.url, username, `${username} password!`);
    }
    for (const department of ['HRSS', 'MARKET', 'MARKET']) {
      const c = await t.hotline.cases.create({ type: '求助', category: '社会保障/社保卡', urgency: 'normal', callerPhone: '+8613800138000', description: '测试', channel: 'voice', by: 'alice' });
      await t.hotline.cases.act(c.id, { type: 'DISPATCH', department, by: 'alice' });
    }
  });
  afterAll(async () => t?.close());
  const get = async (who: string, query: string) => {
    const res = await fetch(`${t.url}/api/reports/cases${query}`, { headers: { cookie: cookies[who]! } });
    return { status: res.status, body: (await res.json()) as { current: { received: number; dispatched: number; period: { from: string } }; previous: { received: number }; yearBefore: { period: { from: string } }; message?: string } };
  };

  it('gives supervisors the centre, handlers their departments, with the day before and the year before beside it', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const sup = await get('sup', `?period=day&date=${today}`);
    expect(sup.status).toBe(200);
    expect(sup.body.current).toMatchObject({ received: 3, dispatched: 3 });
    expect(sup.body.previous.received).toBe(0);
    expect(Number(sup.body.yearBefore.period.from.slice(0, 4))).toBe(Number(sup.body.current.period.from.slice(0, 4)) - 1);
    expect((await get('sup', `?period=day&date=${today}&department=MARKET`)).body.current.received).toBe(2);
    // A handler asking for another department's figures gets none of them.
    expect((await get('hana', `?period=day&date=${today}`)).body.current.received).toBe(1);
    expect((await get('hana', `?period=day&date=${today}&department=MARKET`)).body.current.received).toBe(0);
    expect((await get('alice', `?period=day&date=${today}`)).status).toBe(403);
    const bad = await get('sup', '?period=year');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('day, week, month');
    expect((await get('sup', '?from=2026-10-02T00:00:00%2B08:00&to=2026-10-01T00:00:00%2B08:00')).status).toBe(400);
  });
});
