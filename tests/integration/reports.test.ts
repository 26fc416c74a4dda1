import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { Cases, type NewCase } from '../../server/cases/service.ts';
import { Calls } from '../../server/voice/calls.ts';
import { Assignments } from '../../server/assist/assignments.ts';
import { serviceMeasures } from '../../server/reports/service.ts';
import { buildReport, directRecord, league } from '../../server/reports/report.ts';
import { periodOf } from '../../server/reports/periods.ts';
import { reportSources } from '../../server/reports/sources.ts';
import { ReportsConfig } from '../../server/reports/config.ts';
import { reportCsv, reportXlsx } from '../../server/reports/export.ts';
import { reportHtml } from '../../server/reports/html.ts';
import type { LiveTiles, Report } from '../../server/reports/types.ts';
import { KnowledgeAnswers } from '../../server/knowledge/answers.ts';
import ExcelJS from 'exceljs';
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
    // Start to an agent: 50 s (call 2: 40 + 10) and 50 s (call 3: 20 + 30).
    expect(m.timeToAgent).toEqual({ p50Seconds: 50, p90Seconds: 50 });
  });

  it('reads the take-overs of many calls as one range of when they can have been taken', async () => {
    const taken = new Assignments(store.db, () => clock);
    const sids = Array.from({ length: 600 }, (_, i) => `CA${String(5000 + i).padStart(32, '0')}`);
    clock = cn('2026-12-01T10:00:00');
    for (const sid of sids.slice(0, 599)) await taken.claim(sid, 'alice');
    clock = cn('2026-12-05T10:00:00');
    await taken.claim(sids[599]!, 'alice');
    const day = { from: cn('2026-12-01T00:00:00').toISOString(), to: cn('2026-12-02T00:00:00').toISOString() };
    const inDay = await taken.takenAt(sids, day);
    expect(inDay.size).toBe(599);
    expect(inDay.get(sids[0]!)).toBe(cn('2026-12-01T10:00:00').toISOString());
    expect((await taken.takenAt(sids)).size).toBe(600);
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

  it('serves the whole report as JSON, CSV, XLSX and a printable page; handlers get their departments only', async () => {
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const get = (who: string, what: string) => fetch(`${t.url}/api/reports/${what}?period=day&date=${today}`, { headers: { cookie: cookies[who]! } });
    const sup = (await (await get('sup', 'report')).json()) as Report;
    expect(sup.current.cases.received).toBe(3);
    expect(sup.current.service).toBeDefined();
    expect(sup.league.map((l) => l.department).sort()).toEqual(['HRSS', 'MARKET']);
    // Today's three cases are the whole record: no day before it to compare with, so nothing "rises".
    expect(sup.insights.rising).toEqual([]);
    const hana = (await (await get('hana', 'report')).json()) as Report;
    expect(hana.scope).toEqual({ departments: ['HRSS'] });
    expect(hana.current.cases.received).toBe(1);
    expect(hana.current.service).toBeUndefined();
    expect(hana.insights.unanswered).toEqual([]);
    expect((await get('alice', 'report')).status).toBe(403);

    const csv = await get('sup', 'report.csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain(`hotline-day-${today}.csv`);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').split('\n');
    expect(lines.find((l) => l.startsWith('cases.received,'))!.split(',')[2]).toBe('3');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await (await get('hana', 'report.xlsx')).arrayBuffer());
    const rows: unknown[][] = [];
    book.getWorksheet('measures')!.eachRow((r) => rows.push([r.getCell(1).value, r.getCell(3).value]));
    expect(rows).toContainEqual(['cases.received', 1]);
    const page = await get('sup', 'report.html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<svg');
    expect(html).toMatch(/<b>3<\/b><span>受理量/);
    expect((await get('sup', 'report?period=year')).status).toBe(400);
  });

  it('shows a call behind a figure to supervisors and editors, audited', async () => {
    const phone = t.phone();
    await phone.dial();
    await phone.press('1');
    await phone.say('社保卡丢了怎么办');
    const record = (who: string, sid: string) => fetch(`${t.url}/api/calls/${sid}/record`, { headers: { cookie: cookies[who]! } });
    const res = await record('sup', phone.callSid);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { contact: { channel: string; path: string[] }; answers: Array<{ question: string; articleId: string | null; decision: string }>; events: Array<{ type: string }> };
    expect(body.contact.channel).toBe('voice');
    expect(body.contact.path.slice(0, 2)).toEqual(['greeting', 'policy']);
    expect(body.answers).toEqual([expect.objectContaining({ question: '社保卡丢了怎么办', articleId: 'social-security-card-replacement', decision: 'answer' })]);
    expect(body.events.map((e) => e.type)).toContain('call.started');
    expect((await record('hana', phone.callSid)).status).toBe(403);
    expect((await record('sup', 'CA' + '0'.repeat(32))).status).toBe(404);
    const audit = await t.hotline.store.db.selectFrom('audit_log').select(['username', 'action', 'subject']).where('action', '=', 'call.read').execute();
    expect(audit).toEqual([{ username: 'sup', action: 'call.read', subject: phone.callSid }]);
  });

  it('gives supervisors the live tiles of today', async () => {
    const res = await fetch(`${t.url}/api/reports/live`, { headers: { cookie: cookies.sup! } });
    expect(res.status).toBe(200);
    const live = (await res.json()) as LiveTiles;
    expect(live.cases).toMatchObject({ received: 3, dispatched: 3 });
    expect(live.calls.offered).toBeGreaterThanOrEqual(0);
    expect((await fetch(`${t.url}/api/reports/live`, { headers: { cookie: cookies.hana! } })).status).toBe(403);
  });

  it('stores the report of each closed period once, and serves it as stored', async () => {
    const made = await t.hotline.reports.run();
    // Yesterday always closed; the week and the month only when today starts a new one.
    expect(made.map((m) => m.kind)).toContain('day');
    expect(await t.hotline.reports.run()).toEqual([]);
    // The day that settled (its first-contact window closed) is kept, for the weeks and months to add up.
    const settled = new Date(Date.now() + 8 * 3600_000 - 4 * 86_400_000).toISOString().slice(0, 10);
    expect(await t.hotline.store.db.selectFrom('report_days').select('day').where('day', '=', settled).executeTakeFirst()).toEqual({ day: settled });
    const yesterday = new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    const stored = (await (await fetch(`${t.url}/api/reports/stored`, { headers: { cookie: cookies.sup! } })).json()) as { reports: Array<{ kind: string; generatedAt: string }> };
    const day = stored.reports.find((r) => r.kind === 'day')!;
    const served = (await (await fetch(`${t.url}/api/reports/report?period=day&date=${yesterday}`, { headers: { cookie: cookies.sup! } })).json()) as Report;
    expect(served.generatedAt).toBe(day.generatedAt);
    const fresh = (await (await fetch(`${t.url}/api/reports/report?period=day&date=${yesterday}&fresh=1`, { headers: { cookie: cookies.sup! } })).json()) as Report;
    expect(fresh.generatedAt > day.generatedAt).toBe(true);
  });
});

/**
 * The contact measures, the decision support and the survey on a second hand-built week
 * (Monday 9 to Sunday 15 November 2026), worked out by hand; then the same figures in the
 * JSON, the CSV, the XLSX (opened again) and the printable page.
 */
describe(`the whole report on the ${testStore()} store`, () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let clock = cn('2026-11-10T09:00:00');
  let cases: Cases;
  let report: Report;
  const at = (local: string) => (clock = cn(local));
  const num = (n: number) => `+86138000000${String(n).padStart(2, '0')}`;
  const sid = (n: number) => `CA${String(n).padStart(32, '0')}`;
  const ids: Record<string, string[]> = { water: [], cluster: [] };
  let fromCall2 = '';
  let sources: ReturnType<typeof reportSources>;

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore());
    const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));
    cases = new Cases(store.db, policy, { returnWindowHours: 24, maxExtensions: 2 }, () => clock);
    const calls = new Calls(store.db, () => clock);
    const taken = new Assignments(store.db, () => clock);
    const answers = new KnowledgeAnswers(store.db);
    const open = (c: Partial<NewCase>) => cases.create({ type: '咨询', category: '其他/建议', urgency: 'normal', callerPhone: num(99), description: '测试', channel: 'voice', by: 'agent-li', ...c });
    const call = async (n: number, from: number, entered: string[]) =>
      calls.create({ callSid: sid(n), flowId: 'main', flowVersion: 1, snapshot: { status: 'active' }, response: '<Response/>', from: num(from), to: '+8612345', lang: 'zh-CN', state: entered.at(-1)!, entered });

    // Calls on Tuesday 10 November.
    // 1: answered by the menu; the same number calls again the next morning (within 72 h): not settled.
    at('2026-11-10T09:00:00');
    await call(1, 1, ['greeting', 'goodbye']);
    await calls.end(sid(1), 'completed', 30);
    await store.db.updateTable('calls').set({ outcome: 'answered_in_menu' }).where('call_sid', '=', sid(1)).execute();
    // 2: taken by an agent 10 s after asking; a case opened from it: not settled.
    at('2026-11-10T10:00:00');
    await call(2, 2, ['greeting', 'agent']);
    await calls.markHandoff(sid(2), 'queue:general');
    at('2026-11-10T10:00:10');
    await taken.claim(sid(2), 'alice');
    fromCall2 = (await open({ callSid: sid(2), callerPhone: num(2), description: '咨询社保转移' })).id;
    // 3: answered by the menu, never calls again: settled.
    at('2026-11-10T11:00:00');
    await call(3, 3, ['greeting', 'goodbye']);
    await store.db.updateTable('calls').set({ outcome: 'answered_in_menu', status: 'ended' }).where('call_sid', '=', sid(3)).execute();
    // 4: asked for a human and hung up in the queue: not answered, so not counted.
    at('2026-11-10T12:00:00');
    await call(4, 4, ['greeting', 'agent']);
    await calls.markHandoff(sid(4), 'queue:general');
    // 9: the repeat call from number 1, the next morning.
    at('2026-11-11T08:00:00');
    await call(9, 1, ['greeting']);

    // Text conversations on Tuesday (the text channel's records, as the SMS service writes them).
    const text = (id: string, from: number, startedAt: string, outcome: string, endedAt: string | null) =>
      store.db
        .insertInto('sms_sessions')
        .values({ id, from_number: num(from), to_number: '+8612345', flow_id: 'sms', flow_version: 1, snapshot: '{}', lang: 'zh-CN', state: 'x', path: '[]', inputs: '[]', status: 'ended', outcome, last_message_sid: null, last_response: null, started_at: cn(startedAt).toISOString(), updated_at: cn(startedAt).toISOString(), ended_at: endedAt && cn(endedAt).toISOString() })
        .execute();
    const reply = (to: number, when: string) =>
      store.db
        .insertInto('outbox')
        .values({ id: `m-${to}-${when}`, kind: 'knowledge.article', channel: 'sms', recipient: num(to), lang: 'zh-CN', subject: null, body: '答复', case_id: null, status: 'delivered', attempts: 1, next_attempt_at: cn(when).toISOString(), lease_until: null, provider_id: null, last_error: null, created_at: cn(when).toISOString(), sent_at: cn(when).toISOString(), updated_at: cn(when).toISOString() })
        .execute();
    // 5: answered by the menu at once. 6: handed to a person at 14:00:30, texted back at 14:02 (2 min after the first text).
    // 7: handed off at 15:00:20, texted back at 15:05 (5 min: too late). 8: abandoned: not counted.
    await text('s5', 5, '2026-11-10T13:00:00', 'answered_in_menu', '2026-11-10T13:00:00');
    await text('s6', 6, '2026-11-10T14:00:00', 'handed_off', '2026-11-10T14:00:30');
    await reply(6, '2026-11-10T14:02:00');
    await text('s7', 7, '2026-11-10T15:00:00', 'handed_off', '2026-11-10T15:00:20');
    await reply(7, '2026-11-10T15:05:00');
    await text('s8', 8, '2026-11-10T16:00:00', 'abandoned', '2026-11-10T16:30:00');

    // Questions the knowledge base could not answer: one asked twice (written two ways), in call 2 and text s6; one it answered.
    const ask = (callSid: string, channel: 'voice' | 'sms', question: string, decision: string) =>
      answers.record({ callSid, channel, question, articleId: decision === 'answer' ? 'housing-fund/withdraw' : null, score: 0, confidence: 0, decision, lang: 'zh-CN' });
    await ask(sid(2), 'voice', '电动车上牌在哪里办？', 'human');
    await ask('s6', 'sms', '电动车 上牌在哪里办', 'rephrase');
    await ask(sid(3), 'voice', '公积金怎么提取', 'answer');
    // A texted "question" that would be a formula in a spreadsheet.
    await ask('s7', 'sms', '=HYPERLINK("http://example.com")', 'human');
    for (const [callSid, when] of [[sid(2), '10:00:05'], ['s6', '14:00:10'], [sid(3), '11:00:05'], ['s7', '15:00:10']]) await store.db.updateTable('knowledge_answers').set({ at: cn(`2026-11-10T${when}`).toISOString() }).where('call_sid', '=', callSid!).execute();

    // The record starts in September, so the four weeks before this one are a baseline (a period before the first case is none).
    at('2026-09-30T09:00:00');
    await open({ category: '其他/建议', description: '建议增设公交站' });
    // The week before had one 供水 case; this week has six, in 北湖区, all about 停水: a category, a district and a word that rise.
    at('2026-11-03T09:00:00');
    await open({ category: '公用事业/供水', district: '南山区', description: '水费账单查询' });
    for (let i = 0; i < 6; i++) {
      at(`2026-11-1${1 + (i % 3)}T0${i + 1}:00:00`);
      ids.water!.push((await open({ type: '求助', category: '公用事业/供水', district: '北湖区', description: `北湖区幸福小区停水${i + 1}天了` })).id);
    }
    // Three complaints about one restaurant, its address written three ways: a cluster; two about another place: not one.
    for (const [i, address] of ['幸福路12号', '幸福路12号门口', ' 幸福路 12号 饭店'].entries()) {
      at(`2026-11-12T1${i}:00:00`);
      ids.cluster!.push((await open({ type: '投诉', category: '城市管理/噪音', district: '东城区', address, description: '饭店夜间噪音扰民' })).id);
    }
    for (const i of [0, 1]) {
      at(`2026-11-13T1${i}:00:00`);
      await open({ type: '投诉', category: '城市管理/噪音', district: '东城区', address: '和平街5号', description: '装修噪音' });
    }
    // The survey: two cluster cases replied and called back, one 满意, one 不满意 with the caller's reason in the note.
    const [c1, c2] = ids.cluster as [string, string];
    for (const [id, rating] of [[c1, 'satisfied'], [c2, 'dissatisfied']] as const) {
      at('2026-11-13T09:00:00');
      await cases.act(id, { type: 'DISPATCH', department: 'CITY', by: 'agent-li' });
      await cases.act(id, { type: 'ACCEPT', by: 'city' });
      await cases.act(id, { type: 'REPLY', note: '已处理', by: 'city' });
      at('2026-11-14T10:00:00');
      await cases.act(id, { type: 'CALLBACK', satisfied: rating === 'satisfied', rating, note: rating === 'dissatisfied' ? '噪音还在' : undefined, by: 'agent-li' });
      await cases.act(id, rating === 'satisfied' ? { type: 'CLOSE', by: 'agent-li' } : { type: 'REOPEN', reason: '回访不满意', by: 'agent-li' });
    }
    // The report is made on Monday 16 November at 10:00, when c2's new reply deadline may or may not have passed: no matter, it is listed as it stands.
    at('2026-11-16T10:00:00');
    sources = reportSources(store.db, cases, ReportsConfig.load(path.join(REPO, 'cases', 'reports.yaml')), () => clock);
    report = await buildReport(sources, { kind: 'week', date: '2026-11-12' });
  }, 60_000);

  afterAll(async () => cleanup());

  it('measures texts and first-contact resolution as worked out by hand', () => {
    // Texts: 4 conversations; 5 (at once) and 6 (2 min) within 3 min, 7 not; 8 abandoned is left out.
    expect(report.current.sms).toEqual({ conversations: 4, answeredInMenu: 1, handedOff: 2, abandoned: 1, answeredWithin3min: { numerator: 2, denominator: 3, rate: 2 / 3 } });
    // Answered: calls 1, 2, 3 and texts 5, 6, 7. Settled: 3, 5, 6, 7 (1 called again within 72 h; 2 opened a case).
    expect(report.current.firstContact).toEqual({ resolution: { numerator: 4, denominator: 6, rate: 4 / 6 } });
    // Call 9 is in the week too (Wednesday): five calls offered, 9 still in the menu.
    expect(report.current.service).toMatchObject({ offered: 5, answeredInMenu: 2, askedForHuman: 2, answeredByAgent: 1 });
  });

  it('finds what rose, the cluster, and the questions the knowledge base could not answer', () => {
    const rising = (kind: string) => report.insights.rising.filter((t) => t.kind === kind);
    // 供水: six this week against one in the four weeks before (a baseline of 0.25 a week, so 6 / max(0.25, 1));
    // 噪音: five (the minimum) against none. The most risen first.
    expect(rising('category')).toEqual([
      expect.objectContaining({ key: '公用事业/供水', count: 6, baseline: 0.25, ratio: 6 }),
      expect.objectContaining({ key: '城市管理/噪音', count: 5, baseline: 0, ratio: 5 }),
    ]);
    expect(rising('category')[0]!.caseIds.sort()).toEqual([...ids.water!].sort());
    expect(rising('district').map((t) => [t.key, t.count])).toEqual([['北湖区', 6], ['东城区', 5]]);
    expect(rising('word').map((t) => t.key)).toContain('停水');
    expect(rising('word').find((t) => t.key === '停水')!.caseIds.sort()).toEqual([...ids.water!].sort());
    expect(report.insights.clusters).toEqual([{ place: expect.stringContaining('幸福路'), district: '东城区', count: 3, categories: [{ key: '城市管理/噪音', count: 3 }], caseIds: expect.arrayContaining(ids.cluster!) }]);
    // Shown as it was asked last.
    expect(report.insights.unanswered).toEqual([
      { question: '电动车 上牌在哪里办', count: 2, channels: [{ key: 'sms', count: 1 }, { key: 'voice', count: 1 }], callSids: expect.arrayContaining([sid(2), 's6']), caseIds: [fromCall2] },
      { question: '=HYPERLINK("http://example.com")', count: 1, channels: [{ key: 'sms', count: 1 }], callSids: ['s7'], caseIds: [] },
    ]);
  });

  it('reports the satisfaction survey with the reasons for 不满意', () => {
    const [c1, c2] = ids.cluster as [string, string];
    expect(report.survey.responseRate).toEqual({ numerator: 2, denominator: 2, rate: 1 });
    expect(report.survey.satisfaction).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(report.survey.byDepartment).toEqual([{ key: 'CITY', satisfied: 1, basic: 0, dissatisfied: 1, satisfaction: { numerator: 1, denominator: 2, rate: 0.5 } }]);
    expect(report.survey.reasons).toEqual([{ reason: '噪音还在', count: 1, caseIds: [c2] }]);
    expect(report.survey.reopened).toEqual({ count: 1, caseIds: [c2] });
    expect(report.survey.byCategory.map((l) => l.key)).toEqual(['城市管理/噪音']);
    expect(c1).not.toBe(c2);
  });

  it('groups by the centre’s levels and lists what is still overdue', () => {
    // 12 cases this week: 6 供水 (公用事业), 5 噪音 (城市管理), 1 from call 2 (其他); the 供水 one of 3 November is last week's.
    expect(report.current.cases.received).toBe(12);
    expect(report.top.categoryGroups).toEqual([{ key: '公用事业', count: 6 }, { key: '城市管理', count: 5 }, { key: '其他', count: 1 }]);
    expect(report.top.districts).toEqual([{ key: '北湖区', count: 6 }, { key: '东城区', count: 5 }, { key: '（未填）', count: 1 }]);
    // Nothing was dispatched but the two callbacks' cases; received cases wait for dispatch: those past the dispatch deadline are overdue.
    expect(report.overdue.count).toBe(report.overdue.cases.length);
    for (const c of report.overdue.cases) expect(Date.parse(c.dueAt)).toBeLessThan(clock.getTime());
    expect(report.overdue.count).toBeGreaterThan(0);
  });

  it('adds the week up from its settled days, kept, to exactly what the week’s own data gives', async () => {
    // On Monday the 16th at 10:00, the days up to Thursday the 12th are 72 h past their end: kept. The rest are worked out afresh.
    const kept = await store.db.selectFrom('report_days').select('day').orderBy('day').execute();
    expect(kept.map((r) => r.day)).toEqual(expect.arrayContaining(['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12']));
    expect(kept.map((r) => r.day)).not.toContain('2026-11-13');
    const direct = await directRecord(sources, periodOf('week', '2026-11-12'), {});
    expect(report.current).toEqual(direct.figures);
    expect(report.survey).toEqual(direct.survey);
    expect(report.league).toEqual(await league({ cases }, periodOf('week', '2026-11-12')));
    // And a second report reads the kept days: the same figures.
    expect((await buildReport(sources, { kind: 'week', date: '2026-11-12' })).current).toEqual(report.current);
  });

  it('gives the same figures in the CSV, the XLSX and the printable page', async () => {
    const csv = reportCsv(report).split('\n').map((l) => l.split(','));
    const row = (name: string) => csv.find((r) => r[0] === name)!;
    expect(row('firstContact.resolution').slice(2, 3)).toEqual([String(Math.round((4 / 6) * 1e6) / 1e6)]);
    expect(row('sms.answeredWithin3min').slice(5, 7)).toEqual(['2', '3']);
    expect(row('cases.received')[2]).toBe('12');
    // A caller's words are never a formula in the spreadsheet that opens the CSV.
    expect(reportCsv(report)).toContain(`"'=HYPERLINK(""http://example.com"")"`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await reportXlsx(report)) as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('measures')!;
    const found = new Map<string, unknown[]>();
    sheet.eachRow((r) => found.set(String(r.getCell(1).value), [r.getCell(3).value, r.getCell(3).numFmt]));
    expect(found.get('firstContact.resolution')).toEqual([4 / 6, '0.0%']);
    expect(found.get('cases.received')?.[0]).toBe(12);
    const league = book.getWorksheet('league')!;
    expect(league.getRow(4).getCell(1).value).toBe('CITY');
    expect(book.getWorksheet('survey_reasons')!.getRow(4).getCell(1).value).toBe('噪音还在');
    const html = reportHtml(report);
    expect(html).toMatch(/<b>66\.7%<\/b><span>一次解决率/);
    expect(html).toMatch(/<svg[^>]*>/);
    expect(html).not.toMatch(/<script/i);
  });
});
