import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../helpers/browser.ts';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { Cases, type NewCase } from '../../server/cases/service.ts';
import { Assignments } from '../../server/assist/assignments.ts';
import { Calls } from '../../server/voice/calls.ts';
import { KnowledgeAnswers } from '../../server/knowledge/answers.ts';
import { REPO, startHotline, type TestHotline } from '../helpers/hotline.ts';

const SHOTS = path.join(REPO, 'docs', 'screenshots');
const cn = (local: string) => new Date(`${local}+08:00`);
const sid = (n: number) => `CA${String(n).padStart(32, '0')}`;
/** The month the report is asked for: October 2026 (China time). */
const MONTH = '2026-10';
const QUERY = 'period=month&date=2026-10-01';

/**
 * The reports page in a real browser against the real server, on a small October built through
 * the cases capability with its own clock (as tests/integration/reports.test.ts does), so that
 * every figure the page shows is known by hand:
 *
 * | case | opened        | type, category            | department         | October                                                       |
 * | ---- | ------------- | ------------------------- | ------------------ | ------------------------------------------------------------- |
 * | D    | 9-28 (Sept.)  | 投诉 市场监管/消费维权    | MARKET             | accepted, replied, rated 满意                                 |
 * | A    | 10-08         | 投诉 市场监管/消费维权    | MARKET             | dispatched, accepted, replied, rated 满意                     |
 * | B    | 10-12, SMS    | 求助 社会保障/社保卡      | HRSS               | accepted only after its deadline was missed (escalated), replied, rated 不满意 → reopened: its reply is overdue now |
 * | C    | 10-20         | 咨询 社会保障/社保卡      | HRSS → HEALTHCARE  | returned, redispatched, accepted, extended, replied, rated 基本满意 |
 * | G    | 10-26         | 投诉 市场监管/消费维权    | MARKET             | dispatched, accepted, replied, rated 满意                     |
 * | F    | 10-30         | 举报 城市管理/占道经营    | CITY               | dispatched, never accepted: overdue now                       |
 *
 * The centre's October: received A B C G F = 5; accepted D A C G B, B late: 4/5 = 80.0 %;
 * replied D A C G B, none late: 5/5 = 100.0 %; rated 满意 D A G, 基本满意 C, 不满意 B: satisfied
 * or fairly 4/5 = 80.0 %. League: HEALTHCARE (C) and MARKET (A G; D's moves) at 100 %, then
 * HRSS (B: received 1, accepted 0/1 on time, replied 1/1, satisfaction 0/1), then CITY (F: no
 * acceptance yet). Overdue now: F (acceptance, due 11-02) before B (reply, due mid-November).
 * A, G and F complain about one address: a complaint cluster of 3.
 *
 * Three calls on 10-15: one answered by the menu, one asking for an agent and taken over 10 s
 * later, one asking for an agent and hanging up in the queue. Offered 3; containment 1/3 =
 * 33.3 %; answer rate 1/2 = 50.0 %, answered within 15 s 1/2 = 50.0 %.
 */
describe('the reports page in Chromium', { timeout: 60_000 }, () => {
  let t: TestHotline;
  let browser: Browser;
  const foreign: string[] = [];
  const ids: Record<'A' | 'B' | 'C' | 'D' | 'F' | 'G', string> = { A: '', B: '', C: '', D: '', F: '', G: '' };

  const open = async (who: string) => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(t.url) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(`${r.resourceType()} ${url}`);
    });
    page.on('pageerror', (err) => foreign.push(`pageerror ${err.message}`));
    await page.goto(t.url);
    await page.locator('[data-testid=login-username]').fill(who);
    await page.locator('[data-testid=login-password]').fill(`${who} password!`);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=connection][data-state=online]').waitFor();
    return page;
  };

  /** Opens the Reports tab and asks for October's monthly report. */
  const october = async (page: Page) => {
    await page.locator('[data-testid=tab-reports]').click();
    await page.locator('[data-testid=report-kind-month]').click();
    const asked = page.waitForResponse((r) => r.url().includes(`/api/reports/report?${QUERY}`));
    await page.locator('[data-testid=report-month]').fill(MONTH);
    const res = await asked;
    expect(res.status(), await res.text()).toBe(200);
    await expect.poll(() => page.locator('[data-testid=report-period]').textContent()).toContain('2026-10-01 至 2026-10-31');
  };
  const cell = (page: Page, measure: string, col = 'current') => page.locator(`[data-testid=measure][data-measure="${measure}"] [data-col=${col}]`);
  const texts = async (page: Page, selector: string) => (await page.locator(selector).allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());

  beforeAll(async () => {
    requireChromium();
    execFileSync(process.execPath, [path.join(REPO, 'bin', 'build-ui.mjs')], { cwd: REPO, stdio: 'ignore' });
    t = await startHotline();
    for (const [username, roles, departments] of [
      ['sam', ['supervisor'], []],
      ['hana', ['handler'], ['HRSS']],
    ] as const) {
      await t.hotline.users.add({ username, roles: [...roles], departments: [...departments], password: `${username} password!` });
    }

    // The server's own deadline scan runs on today's clock: stopped, so that only the scans below (on October's clock) record misses.
    await t.hotline.scheduler.stop();
    let clock = cn('2026-09-28T09:00:00');
    const policy = DeadlinePolicy.load(path.join(t.config.casesDir, 'deadlines.yaml'), WorkCalendar.load(path.join(t.config.casesDir, 'calendar.yaml')));
    const cases = new Cases(t.hotline.store.db, policy, policy.rules, () => clock);
    const at = (local: string) => (clock = cn(local));
    const openCase = async (c: Partial<NewCase> & Pick<NewCase, 'type' | 'category' | 'channel'>) => (await cases.create({ urgency: 'normal', callerPhone: '+8613800138000', description: '测试', by: 'agent-li', ...c })).id;
    const move = (id: string, m: Record<string, unknown>) => cases.act(id, { by: 'someone', ...m } as never);
    const market = { type: '投诉', category: '市场监管/消费维权', district: '东城区', address: '东城区东直门南大街5号', channel: 'voice' } as const;

    at('2026-09-28T09:00:00');
    ids.D = await openCase({ type: '投诉', category: '市场监管/消费维权', district: '东城区', channel: 'voice' });
    at('2026-09-28T09:20:00');
    await move(ids.D, { type: 'DISPATCH', department: 'MARKET' });
    at('2026-10-02T10:00:00');
    await move(ids.D, { type: 'ACCEPT' });
    at('2026-10-05T10:00:00');
    await move(ids.D, { type: 'REPLY', note: '已处理' });
    at('2026-10-06T10:00:00');
    await cases.rate(ids.D, 'satisfied', 'agent-li');

    at('2026-10-08T09:00:00');
    ids.A = await openCase({ ...market, description: '商店拒绝退款' });
    at('2026-10-08T09:30:00');
    await move(ids.A, { type: 'DISPATCH', department: 'MARKET' });
    at('2026-10-08T10:00:00');
    await move(ids.A, { type: 'ACCEPT' });
    at('2026-10-09T10:00:00');
    await move(ids.A, { type: 'REPLY', note: '已退款' });
    at('2026-10-10T10:00:00');
    await cases.rate(ids.A, 'satisfied', 'agent-li');

    at('2026-10-12T09:00:00');
    ids.B = await openCase({ type: '求助', category: '社会保障/社保卡', district: '西城区', channel: 'sms', description: '社保卡补办' });
    at('2026-10-12T09:10:00');
    await move(ids.B, { type: 'DISPATCH', department: 'HRSS' });

    at('2026-10-20T09:00:00');
    ids.C = await openCase({ type: '咨询', category: '社会保障/社保卡', district: '西城区', channel: 'voice', description: '医保报销' });
    at('2026-10-20T09:10:00');
    await move(ids.C, { type: 'DISPATCH', department: 'HRSS' });
    at('2026-10-20T11:00:00');
    await move(ids.C, { type: 'RETURN', reason: '不属于本部门' });
    at('2026-10-21T09:00:00');
    await move(ids.C, { type: 'REDISPATCH', department: 'HEALTHCARE' });
    at('2026-10-21T10:00:00');
    await move(ids.C, { type: 'ACCEPT' });
    at('2026-10-22T10:00:00');
    await move(ids.C, { type: 'REQUEST_EXTENSION', reason: '需要核实', workingDays: 2 });
    at('2026-10-22T11:00:00');
    await move(ids.C, { type: 'APPROVE_EXTENSION' });
    at('2026-10-23T10:00:00');
    await move(ids.C, { type: 'REPLY', note: '已答复' });
    at('2026-10-24T10:00:00');
    await cases.rate(ids.C, 'basic', 'agent-li');

    at('2026-10-26T09:00:00');
    ids.G = await openCase({ ...market, description: '商店卖过期食品' });
    at('2026-10-26T09:10:00');
    await move(ids.G, { type: 'DISPATCH', department: 'MARKET' });
    at('2026-10-26T10:00:00');
    await move(ids.G, { type: 'ACCEPT' });
    at('2026-10-27T10:00:00');
    await move(ids.G, { type: 'REPLY', note: '已查处' });
    at('2026-10-28T10:00:00');
    await cases.rate(ids.G, 'satisfied', 'agent-li');

    // B's acceptance deadline has long passed: the scan records the miss and escalates it; then B is worked and rated 不满意 (reopened).
    at('2026-10-30T09:00:00');
    await cases.scanDeadlines();
    await cases.scanDeadlines();
    at('2026-10-30T10:00:00');
    await move(ids.B, { type: 'ACCEPT' });
    at('2026-10-30T11:00:00');
    await move(ids.B, { type: 'REPLY', note: '已补办' });
    at('2026-10-30T12:00:00');
    await cases.rate(ids.B, 'dissatisfied', 'agent-li');

    at('2026-10-30T14:00:00');
    ids.F = await openCase({ ...market, type: '举报', category: '城市管理/占道经营', description: '店门口占道经营' });
    at('2026-10-30T14:10:00');
    await move(ids.F, { type: 'DISPATCH', department: 'CITY' });

    const calls = new Calls(t.hotline.store.db, () => clock);
    const taken = new Assignments(t.hotline.store.db, () => clock);
    const call = (n: number, entered: string[], status = 'active') =>
      calls.create({ callSid: sid(n), flowId: 'main', flowVersion: 1, snapshot: { status }, response: '<Response/>', from: `+861380013800${n}`, to: '+8612345', lang: 'zh-CN', state: entered.at(-1)!, entered });
    at('2026-10-15T09:00:00');
    await call(1, ['greeting', 'goodbye'], 'done');
    await calls.end(sid(1), 'completed', 60);
    at('2026-10-15T10:00:00');
    await call(2, ['greeting', 'agent']);
    at('2026-10-15T10:00:40');
    await calls.markHandoff(sid(2), 'queue:general');
    at('2026-10-15T10:00:50');
    await taken.claim(sid(2), 'alice');
    // Call 2's caller asked what the knowledge base could not answer: the report lists the question, with the call behind it.
    await new KnowledgeAnswers(t.hotline.store.db).record({ callSid: sid(2), channel: 'voice', question: '电动车上牌去哪里办', articleId: null, score: 0, confidence: 0, decision: 'human', lang: 'zh-CN' });
    await t.hotline.store.db.updateTable('knowledge_answers').set({ at: cn('2026-10-15T10:00:30').toISOString() }).where('call_sid', '=', sid(2)).execute();
    at('2026-10-15T11:00:00');
    await call(3, ['greeting', 'agent']);
    at('2026-10-15T11:00:20');
    await calls.markHandoff(sid(3), 'queue:general');
    at('2026-10-15T11:01:00');
    await calls.end(sid(3), 'completed', 60);

    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows a supervisor October as worked out by hand, with live tiles, charts, downloads and the cases behind the figures', async () => {
    const page = await open('sam');
    await october(page);

    // The measures: 本期 with what each rate is made of on hover.
    expect(await cell(page, 'cases.received').textContent()).toBe('5');
    expect(await cell(page, 'cases.onTime.reply').textContent()).toBe('100.0%');
    expect(await cell(page, 'cases.onTime.reply').getAttribute('title')).toBe('5/5');
    expect(await cell(page, 'cases.onTime.accept').textContent()).toBe('80.0%');
    expect(await cell(page, 'cases.onTime.accept').getAttribute('title')).toBe('4/5');
    expect(await cell(page, 'cases.satisfaction').textContent()).toBe('80.0%');
    expect(await cell(page, 'cases.satisfaction').getAttribute('title')).toBe('4/5');
    expect(await cell(page, 'cases.escalations').textContent()).toBe('1');
    expect(await cell(page, 'cases.reopened').textContent()).toBe('1');
    // September had D only: one case received, so October is up 400 %; its one acceptance fell in October.
    expect(await cell(page, 'cases.received', 'previous').textContent()).toBe('1');
    expect(await cell(page, 'cases.received', 'change-previous').textContent()).toBe('↑ 400.0%');
    // The centre's own measures are there for a supervisor: the phone service of October.
    expect(await cell(page, 'service.offered').textContent()).toBe('3');
    expect(await cell(page, 'service.containment').textContent()).toBe('33.3%');
    expect(await cell(page, 'service.containment').getAttribute('title')).toBe('1/3');
    expect(await cell(page, 'service.answerRate').textContent()).toBe('50.0%');
    expect(await cell(page, 'service.answeredWithin15s').getAttribute('title')).toBe('1/2');

    // The league: best on-time reply first; each department by name (rank, name, on-time accept, reply, satisfaction, returns, received). HRSS returned C.
    const league = page.locator('[data-testid=league-row]');
    expect(await league.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department')))).toEqual(['HEALTHCARE', 'MARKET', 'HRSS', 'CITY']);
    expect(await texts(page, '[data-testid=league-row][data-department=HRSS] td')).toEqual(['3', '示例市人力资源和社会保障局', '0.0%', '100.0%', '0.0%', '1', '1']);
    expect(await texts(page, '[data-testid=league-row][data-department=MARKET] td')).toEqual(['2', '示例市市场监督管理局', '100.0%', '100.0%', '100.0%', '0', '2']);
    expect(await page.locator('[data-testid=league-row][data-department=MARKET] td').nth(2).getAttribute('title')).toBe('3/3');

    // Still overdue: F (its acceptance) before B (its reply after the reopening).
    expect(await page.locator('[data-testid=overdue-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')))).toEqual([ids.F, ids.B]);
    expect(await texts(page, `[data-testid=overdue-row][data-case-id="${ids.F}"] td`)).toEqual(expect.arrayContaining([ids.F, '示例市城市管理局', '城市管理/占道经营', '签收']));

    // The charts are drawn (SVG), and the complaint cluster is listed.
    for (const chart of ['categories', 'districts', 'channels', 'league', 'periods']) await page.locator(`[data-testid=chart-${chart}] svg`).first().waitFor();
    expect(await page.locator('[data-testid=chart-channels] svg text').allTextContents()).toEqual(expect.arrayContaining(['电话', '短信']));
    expect(await texts(page, '[data-testid=cluster-row] td')).toEqual(expect.arrayContaining(['3']));
    // Clicking a cluster shows the cases behind it.
    await page.locator('[data-testid=cluster-row] [data-testid=show-behind]').click();
    expect((await texts(page, '[data-testid=report-clusters] [data-testid=case-link]')).sort()).toEqual([ids.A, ids.F, ids.G].sort());

    // The unanswered question opens the call it was asked in: how that call went.
    await page.locator('[data-testid=report-unanswered] [data-testid=show-behind]').click();
    await page.locator(`[data-testid=call-link][data-call-sid="${sid(2)}"]`).click();
    await expect.poll(() => page.locator('[data-testid=call-record-outcome]').textContent()).toBe('handed_off');
    expect(await page.locator('[data-testid=call-record-path]').textContent()).toBe('greeting → agent');
    expect(await page.locator('[data-testid=call-record-answers] li').first().textContent()).toContain('电动车上牌去哪里办');
    await page.locator('[data-testid=call-record-close]').click();

    // Downloads and the printable page: the same query, the server's files.
    expect(await page.locator('[data-testid=report-csv]').getAttribute('href')).toBe(`/api/reports/report.csv?${QUERY}`);
    expect(await page.locator('[data-testid=report-xlsx]').getAttribute('href')).toBe(`/api/reports/report.xlsx?${QUERY}`);
    expect(await page.locator('[data-testid=report-print]').getAttribute('href')).toBe(`/api/reports/report.html?${QUERY}`);
    expect(await page.locator('[data-testid=report-print]').getAttribute('target')).toBe('_blank');
    const csv = await page.request.get(`${t.url}/api/reports/report.csv?${QUERY}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const xlsx = await page.request.get(`${t.url}/api/reports/report.xlsx?${QUERY}`);
    expect(xlsx.status()).toBe(200);
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe('PK');

    // The live tiles: today has nothing new, and two cases are overdue now.
    await page.locator('[data-testid=report-tiles]').waitFor();
    await expect.poll(() => page.locator('[data-testid=tile-overdue] .value').textContent()).toBe('2');
    expect(await page.locator('[data-testid=tile-received] .value').textContent()).toBe('0');

    // The whole page, 1400 px wide, for the docs (the month picker left, so it is not shown focused).
    await page.locator('[data-testid=report-month]').blur();
    const height = await page.locator('reports-page').evaluate((el) => el.shadowRoot!.querySelector('.scroll')!.scrollHeight);
    await page.setViewportSize({ width: 1400, height: height + 100 });
    await page.screenshot({ path: path.join(SHOTS, 'reports.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 900 });

    // A case number opens the case: its fields and its history.
    await page.locator(`[data-testid=overdue-row][data-case-id="${ids.B}"] [data-testid=case-link]`).click();
    const view = page.locator(`[data-testid=case-view][data-case-id="${ids.B}"]`);
    await view.waitFor();
    await expect.poll(() => view.locator('[data-testid=case-history] li').evaluateAll((li) => li.map((l) => l.getAttribute('data-type')))).toEqual([
      'CREATE',
      'DISPATCH',
      'SUPERVISE',
      'ACCEPT',
      'REPLY',
      'CALLBACK',
      'REOPEN',
    ]);
    expect(await view.textContent()).toContain('社保卡补办');
    await page.locator('[data-testid=case-view-close]').click();
    await view.waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('shows a department handler their own department only, without live tiles', async () => {
    const page = await open('hana');
    await october(page);
    expect(await page.locator('[data-testid=league-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-department')))).toEqual(['HRSS']);
    // HRSS holds B only (C went to HEALTHCARE): one received, accepted late, rated 不满意.
    expect(await cell(page, 'cases.received').textContent()).toBe('1');
    expect(await cell(page, 'cases.onTime.accept').getAttribute('title')).toBe('0/1');
    expect(await cell(page, 'cases.satisfaction').textContent()).toBe('0.0%');
    expect(await page.locator('[data-testid=overdue-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case-id')))).toEqual([ids.B]);
    // No centre measures, no live tiles, no department picker.
    expect(await page.locator('[data-testid=measure][data-measure^="service."]').count()).toBe(0);
    expect(await page.locator('[data-testid=report-tiles]').count()).toBe(0);
    expect(await page.locator('[data-testid=report-department]').count()).toBe(0);
    await page.context().close();
  });

  it('loaded nothing from outside the server (ECharts is bundled)', () => {
    expect(foreign).toEqual([]);
  });
});
