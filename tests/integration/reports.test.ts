import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { Cases, type NewCase } from '../../server/cases/service.ts';
import { Calls } from '../../server/voice/calls.ts';
import { Assignments } from '../../server/assist/assignments.ts';
import { serviceMeasures } from '../../server/reports/service.ts';
import { league } from '../../server/reports/report.ts';
import type { Store } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshStore, testStore } from '../helpers/postgres.ts';

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
    ({ store, cleanup } = await freshStore());
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

  afterAll(async () => cleanup());

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

  it('ranks the departments of October: on-time reply, then acceptance, then satisfaction', async () => {
    const lines = await league({ cases }, OCTOBER);
    const r = (n: number, d: number) => ({ numerator: n, denominator: d, rate: d ? n / d : null });
    // MARKET holds A and D (D opened in September, its moves in October); HEALTHCARE holds C; HRSS holds B, accepted late and rated 不满意,
    // and returned C (which HEALTHCARE holds now); CITY had nothing in October.
    expect(lines).toEqual([
      { department: 'HEALTHCARE', received: 1, accept: r(1, 1), reply: r(1, 1), satisfaction: r(1, 1), returned: 0 },
      { department: 'MARKET', received: 1, accept: r(2, 2), reply: r(2, 2), satisfaction: r(2, 2), returned: 0 },
      { department: 'HRSS', received: 1, accept: r(0, 1), reply: r(1, 1), satisfaction: r(0, 1), returned: 1 },
    ]);
    expect(await league({ cases }, OCTOBER, { departments: ['HRSS'] })).toEqual([lines[2]]);
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

  it('measures the phone service of a day as worked out by hand', async () => {
    const calls = new Calls(store.db, () => clock);
    const taken = new Assignments(store.db, () => clock);
    const at = (local: string) => (clock = cn(local));
    const call = (sid: string, entered: string[], direction: 'inbound' | 'outbound' = 'inbound') =>
      calls.create({ callSid: sid, direction, flowId: 'main', flowVersion: 1, snapshot: { status: 'active' }, response: '<Response/>', from: '+8613800138000', to: '+8612345', lang: 'zh-CN', state: entered.at(-1)!, entered });
    const sid = (n: number) => `CA${String(n).padStart(32, '0')}`;
    // 1: answered by the menu (a final state, no agent).
    at('2026-10-15T09:00:00');
    await calls.create({ callSid: sid(1), flowId: 'main', flowVersion: 1, snapshot: { status: 'done' }, response: '<Response/>', from: '+8613800138001', to: '+8612345', lang: 'zh-CN', state: 'goodbye', entered: ['greeting', 'goodbye'] });
    await calls.end(sid(1), 'completed', 60);
    // 2: three menu states, a human asked for after 40 s, taken over 10 s later.
    at('2026-10-15T10:00:00');
    await call(sid(2), ['greeting', 'policy', 'policyAgent']);
    at('2026-10-15T10:00:40');
    await calls.markHandoff(sid(2), 'queue:policy');
    at('2026-10-15T10:00:50');
    await taken.claim(sid(2), 'alice');
    // 3: a human asked for after 20 s (two states), taken over 30 s later.
    at('2026-10-15T11:00:00');
    await call(sid(3), ['greeting', 'agent']);
    at('2026-10-15T11:00:20');
    await calls.markHandoff(sid(3), 'queue:general');
    at('2026-10-15T11:00:50');
    await taken.claim(sid(3), 'bob');
    // 4: asked for a human after 60 s, hung up in the queue.
    at('2026-10-15T12:00:00');
    await call(sid(4), ['greeting', 'agent']);
    at('2026-10-15T12:01:00');
    await calls.markHandoff(sid(4), 'queue:general');
    await calls.end(sid(4), 'completed', 120);
    // 5: hung up in the menu.
    at('2026-10-15T13:00:00');
    await call(sid(5), ['greeting']);
    await calls.end(sid(5), 'completed', 5);
    // 6: the callback we placed: not a call offered.
    await call(sid(6), ['ask'], 'outbound');
    // 7: the next day.
    at('2026-10-16T09:00:00');
    await call(sid(7), ['greeting']);

    const day = { from: cn('2026-10-15T00:00:00').toISOString(), to: cn('2026-10-16T00:00:00').toISOString() };
    const record = await calls.record(day);
    const m = serviceMeasures(day, record, await taken.takenAt(record.calls.map((c) => c.callSid)));
    expect(m).toMatchObject({ offered: 5, answeredInMenu: 1, abandonedInMenu: 1, failed: 0, askedForHuman: 3, answeredByAgent: 2, abandonedInQueue: 1 });
    expect(m.answerRate).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 });
    // Only call 2 was taken within 15 s of asking.
    expect(m.answeredWithin15s).toEqual({ numerator: 1, denominator: 3, rate: 1 / 3 });
    expect(m.containment).toEqual({ numerator: 1, denominator: 5, rate: 0.2 });
    // Start to asking: 40, 20, 60 s; menu states before the hand-off: 2, 1, 1.
    expect(m.timeToHuman).toEqual({ p50Seconds: 40, p90Seconds: 60, meanMenuSteps: 4 / 3 });
    // Asking to taken: 10 and 30 s.
    expect(m.timeToAnswer).toEqual({ p50Seconds: 10, p90Seconds: 30 });
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

  it('ranks the departments of today; a handler sees their own line only', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const lines = async (who: string) => ((await (await fetch(`${t.url}/api/reports/league?period=day&date=${today}`, { headers: { cookie: cookies[who]! } })).json()) as { current: Array<{ department: string; received: number }> }).current;
    expect((await lines('sup')).map((l) => [l.department, l.received]).sort()).toEqual([['HRSS', 1], ['MARKET', 2]]);
    expect((await lines('hana')).map((l) => l.department)).toEqual(['HRSS']);
  });

  it('gives supervisors the phone service of today, and nobody else', async () => {
    const phone = t.phone();
    await phone.dial();
    await phone.press('0');
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const res = await fetch(`${t.url}/api/reports/service?period=day&date=${today}`, { headers: { cookie: cookies.sup! } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { current: { offered: number; askedForHuman: number; answeredByAgent: number; answerRate: { rate: number | null } } };
    expect(body.current).toMatchObject({ offered: 1, askedForHuman: 1, answeredByAgent: 0 });
    expect(body.current.answerRate.rate).toBe(0);
    expect((await fetch(`${t.url}/api/reports/service?period=day`, { headers: { cookie: cookies.hana! } })).status).toBe(403);
  });
});
