import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../helpers/browser.ts';
import { XMLParser } from 'fast-xml-parser';
import { createHotline, type Hotline } from '../../server/main.ts';
import { REPO, startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { transcriptParams } from '../helpers/panel.ts';
import type { TwilioPhone } from '../../server/cli/phone.ts';

const SHOTS = path.join(REPO, 'docs', 'screenshots');
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

/**
 * The agent panel in a real browser (Debian's Chromium, driven by playwright-core) against
 * the real server: calls scripted as Twilio sends them, cases through the real API.
 */
describe('agent panel in Chromium', { timeout: 60_000 }, () => {
  let t: TestHotline;
  let api: Awaited<ReturnType<typeof startTwilioApi>>;
  let browser: Browser;
  let restarted: Hotline | undefined;
  const foreign: string[] = [];
  const scripts = new Set<string>();
  let caseId = '';
  let phone: TwilioPhone;

  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('request', (r) => {
      const url = r.url();
      if (r.resourceType() === 'script') scripts.add(url);
      if (url.startsWith(t.url) || url.startsWith('data:') || url.startsWith('blob:')) return;
      // The browser phone may talk to Twilio's voice edge; nothing else may come from outside.
      const toTwilio = /^https:\/\/[a-z0-9.-]+\.twilio\.com\//.test(url) && ['fetch', 'xhr', 'websocket'].includes(r.resourceType());
      if (!toTwilio) foreign.push(`${r.resourceType()} ${url}`);
    });
    page.on('pageerror', (err) => foreign.push(`pageerror ${err.message}`));
    await page.goto(t.url);
    return page;
  };
  const signIn = async (page: Page, who: string) => {
    await page.locator('[data-testid=login-username]').fill(who);
    await page.locator('[data-testid=login-password]').fill(`${who} password!`);
    await page.locator('[data-testid=login-submit]').click();
    await page.locator('[data-testid=connection][data-state=online]').waitFor();
  };

  beforeAll(async () => {
    requireChromium();
    execFileSync(process.execPath, [path.join(REPO, 'bin', 'build-ui.mjs')], { cwd: REPO, stdio: 'ignore' });
    api = await startTwilioApi();
    // With an API key the browser phone is really built (Twilio's edge is out of reach: it stays offline).
    t = await startHotline({ TWILIO_API_URL: api.url, TWILIO_SMS_FROM: '+8612345', HOTLINE_OUTBOX_SECONDS: '0.2', TWILIO_API_KEY: 'SK' + 'c'.repeat(32), TWILIO_API_SECRET: 'browser-test-api-secret-01' });
    for (const [username, roles, departments] of [
      ['alice', ['agent'], []],
      ['hana', ['handler'], ['HRSS']],
      ['sam', ['supervisor'], []],
    ] as const) {
      await t.hotline.users.add({ username, roles: [...roles], departments: [...departments], password: `${username} password!` });
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (restarted) {
      await restarted.close();
      t.hotline = restarted;
    }
    await t?.close();
    await api?.close();
  });

  it('an agent signs in, sees a call arrive, gets suggestions while the caller speaks, takes it over and opens a case', async () => {
    const page = await open();
    await page.locator('[data-testid=login-username]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'login.png') });
    await signIn(page, 'alice');

    // Available: the panel builds its phone (the SDK, lazily loaded from the server, with its own sounds).
    const tokenAsked = page.waitForResponse((r) => r.url().endsWith('/api/voice/token'));
    await page.locator('[data-testid=presence]').selectOption('available');
    expect((await tokenAsked).status()).toBe(200);
    // The SDK is its own chunk, fetched from the server only now; its registration fails offline, quietly.
    await expect.poll(() => scripts.size).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid=phone-status]').getAttribute('data-state'), { timeout: 20_000 }).toBe('offline');

    phone = t.phone({ from: '+8613800138000' });
    await phone.dial();
    await phone.press('0');
    const item = page.locator(`[data-testid=call-item][data-call-sid=${phone.callSid}]`);
    await page.locator('[data-testid=list-tab-queued]').click();
    await item.waitFor();
    expect(await item.getAttribute('data-status')).toBe('queued');
    await item.click();
    await page.locator(`[data-testid=call-view][data-call-sid=${phone.callSid}]`).waitFor();
    await expect.poll(() => page.locator('[data-testid=call-caller]').textContent()).toContain('13800138000');

    await phone.post('/twilio/transcription', transcriptParams(phone.callSid, '你好，我的社保卡丢了，想问一下怎么补办', 1));
    await page.locator('[data-testid=transcript-line]').first().waitFor();
    const suggestion = page.locator('[data-testid=suggestion][data-article-id=social-security-card-replacement]');
    await suggestion.waitFor();
    await suggestion.locator('[data-testid=suggestion-helpful]').click();
    await page.locator('[data-testid=feedback-recorded]').first().waitFor();
    await suggestion.locator('[data-testid=suggestion-send-sms]').click();
    await page.locator('[data-testid=sms-sent]').first().waitFor();
    await expect.poll(() => api.requests.find((r) => r.path.endsWith('/Messages.json') && r.form.To === '+8613800138000' && r.form.Body?.includes('【社会保障卡挂失与补办】')), { timeout: 10_000 }).toBeTruthy();
    await suggestion.locator('[data-testid=suggestion-open]').click();
    await expect.poll(() => page.locator('[data-testid=article-full]').textContent()).toContain('社会保障卡');
    await page.screenshot({ path: path.join(SHOTS, 'agent-call.png') });

    const before = api.requests.length;
    await page.locator('[data-testid=take-over]').click();
    await expect.poll(() => api.requests.slice(before).find((r) => r.path.endsWith(`/Calls/${phone.callSid}.json`))).toBeTruthy();
    const update = api.requests.slice(before).find((r) => r.path.endsWith(`/Calls/${phone.callSid}.json`))!;
    expect(xml.parse(update.form.Twiml!).Response.Dial.Client.Identity).toBe('agent_alice');
    await page.locator('[data-testid=list-tab-mine]').click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('with_agent');

    await page.keyboard.press('Alt+KeyC');
    const form = page.locator('[data-testid=case-form]');
    await form.waitFor();
    expect(await page.locator('[data-testid=case-phone]').inputValue()).toContain('13800138000');
    expect(await page.locator('[data-testid=case-category]').inputValue()).toBe('社会保障/社保卡');
    expect(await page.locator('[data-testid=case-department]').inputValue()).toBe('HRSS');
    expect(await page.locator('[data-testid=case-description]').inputValue()).toContain('社保卡丢了');
    await page.screenshot({ path: path.join(SHOTS, 'case-form.png') });
    await page.locator('[data-testid=case-submit]').click();
    const created = page.locator('[data-testid=case-created]');
    await created.waitFor();
    caseId = (await created.getAttribute('data-case-id')) ?? '';
    expect(caseId).toMatch(/^\d{11,14}$/);
    expect(await created.textContent()).toContain(caseId);
    const stored = await t.hotline.cases.get(caseId);
    expect(stored).toMatchObject({ department: 'HRSS', state: 'dispatched', call_sid: phone.callSid, article_id: 'social-security-card-replacement' });
    // The caller gets the number by SMS (through the outbox, to the Twilio stand-in).
    await expect.poll(() => api.requests.find((r) => r.path.endsWith('/Messages.json') && r.form.To === '+8613800138000' && r.form.Body?.includes(caseId)), { timeout: 10_000 }).toBeTruthy();
    await page.context().close();
  });

  it('the department handler sees the inbox overdue first, and accepts, returns, asks for more time and replies', async () => {
    // Two more cases for the department: one already past its deadline, one to send back.
    const make = async (description: string) => {
      const c = await t.hotline.cases.create({ type: '求助', category: '社会保障/社保卡', urgency: 'normal', callerPhone: '+8613600136000', description, channel: 'voice', by: 'alice' });
      return (await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'HRSS', by: 'alice' })).id;
    };
    const late = await make('社保卡补办进度查询，已超期');
    const wrongDesk = await make('应由医保局处理的报销问题');
    const past = new Date(Date.now() - 3600_000).toISOString();
    await t.hotline.store.db.updateTable('cases').set({ due_at: past, warn_at: past }).where('id', '=', late).execute();

    const page = await open();
    await signIn(page, 'hana');
    const rows = page.locator('[data-testid=inbox-case]');
    await page.locator(`[data-testid=inbox-case][data-case-id="${caseId}"]`).waitFor();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.first().getAttribute('data-case-id')).toBe(late);
    expect(await rows.first().getAttribute('data-overdue')).toBe('true');
    const row = page.locator(`[data-testid=inbox-case][data-case-id="${caseId}"]`);
    expect(await row.getAttribute('data-overdue')).toBe('false');
    expect(await row.locator('[data-testid=time-left]').textContent()).toMatch(/\d/);
    await page.screenshot({ path: path.join(SHOTS, 'inbox.png') });

    await row.locator('[data-testid=case-accept]').click();
    await expect.poll(async () => (await t.hotline.cases.get(caseId))?.state).toBe('accepted');

    // Sent back with a reason (once the inbox shows it as dispatched and its button enabled: a failure names what it saw).
    const wrongRow = page.locator(`[data-testid=inbox-case][data-case-id="${wrongDesk}"]`);
    await expect.poll(async () => `${await wrongRow.getAttribute('data-state')} ${await wrongRow.locator('[data-testid=case-return]').isEnabled()} ${await wrongRow.locator('[data-testid=case-return]').getAttribute('title')}`, { timeout: 20_000 }).toBe('dispatched true 退单');
    await wrongRow.locator('[data-testid=case-return]').click();
    await page.locator('[data-testid=case-reason]').fill('属于医疗保障局职责');
    await page.locator('[data-testid=case-confirm]').click();
    await expect.poll(async () => (await t.hotline.cases.get(wrongDesk))?.state).toBe('returned');
    expect((await t.hotline.cases.history(wrongDesk)).at(-1)).toMatchObject({ type: 'RETURN', reason: '属于医疗保障局职责', by: 'hana' });

    // More time for the accepted case, then the reply.
    await expect.poll(() => row.locator('[data-testid=case-extend]').isEnabled()).toBe(true);
    await row.locator('[data-testid=case-extend]').click();
    await page.locator('[data-testid=case-reason]').fill('需要银行网点配合核实');
    await page.locator('[data-testid=case-days]').fill('3');
    await page.locator('[data-testid=case-confirm]').click();
    await expect.poll(async () => (await t.hotline.cases.history(caseId)).at(-1)?.type).toBe('REQUEST_EXTENSION');
    // While a supervisor has not decided, the reply waits.
    await expect.poll(() => row.locator('[data-testid=case-reply]').isEnabled()).toBe(false);
    // A supervisor approves elsewhere; the handler reloads the inbox (pushes are tested in assist.test.ts) and replies.
    await t.hotline.cases.act(caseId, { type: 'APPROVE_EXTENSION', by: 'sam' });
    const refreshed = page.waitForResponse((r) => r.url().includes('/api/cases?'));
    await page.locator('[data-testid=inbox-refresh]').click();
    await refreshed;
    await expect.poll(() => row.locator('[data-testid=case-reply]').isEnabled(), { timeout: 10_000 }).toBe(true);
    await row.locator('[data-testid=case-reply]').click();
    await page.locator('[data-testid=case-note]').fill('已为您补办新卡，请到网点领取');
    await page.locator('[data-testid=case-confirm]').click();
    await expect.poll(async () => (await t.hotline.cases.get(caseId))?.state).toBe('replied');

    // The panel speaks English too.
    await page.locator('[data-testid=lang-toggle]').click();
    await expect.poll(() => page.locator('[data-testid=lang-toggle]').textContent()).toBe('中文');
    expect(await page.locator('[data-testid=tab-inbox]').textContent()).toMatch(/[A-Za-z]/);
    await page.context().close();
  });

  it('a supervisor’s wallboard counts the floor', async () => {
    const other = t.phone({ from: '+8613900139000' });
    await other.dial();
    await other.press('0');
    const page = await open();
    await signIn(page, 'sam');
    await page.locator('[data-testid=tab-wallboard]').click();
    await page.locator('[data-testid=wallboard]').waitFor();
    await expect.poll(() => page.locator('[data-testid=wb-queued]').textContent()).toMatch(/^\s*1\s*$/);
    // A deadline passes while the supervisor watches: the alert appears, pushed.
    const late = await t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: '+8613500135000', description: '超市多收钱', channel: 'voice', by: 'alice' });
    await t.hotline.cases.act(late.id, { type: 'DISPATCH', department: 'MARKET', by: 'alice' });
    const past = new Date(Date.now() - 60_000).toISOString();
    await t.hotline.store.db.updateTable('cases').set({ due_at: past, warn_at: past, next_check_at: past }).where('id', '=', late.id).execute();
    await t.hotline.scheduler.tick();
    await page.locator(`[data-testid=alert][data-case-id="${late.id}"]`).waitFor();
    await expect.poll(() => page.locator('[data-testid=wb-overdue]').textContent(), { timeout: 10_000 }).toMatch(/[1-9]/);
    // Fits the 1366×768 seat screen: nothing wider than the window.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    await page.screenshot({ path: path.join(SHOTS, 'wallboard.png') });
    await page.context().close();
  });

  it('a cut socket and a server restart are recovered without a reload, and nothing the panel shows is lost', async () => {
    const page = await open();
    await signIn(page, 'alice');
    const fresh = t.phone({ from: '+8613700137000' });
    await fresh.dial();
    await fresh.press('0');
    await page.locator('[data-testid=list-tab-queued]').click();
    await page.locator(`[data-testid=call-item][data-call-sid=${fresh.callSid}]`).click();
    await page.locator(`[data-testid=call-view][data-call-sid=${fresh.callSid}]`).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { __loaded: boolean }).__loaded = true;
    });

    // The connection drops; meanwhile the caller speaks.
    await page.evaluate(() => (globalThis as unknown as { __hotlinePanel: { socket: { io: { engine: { close(): void } } } } }).__hotlinePanel.socket.io.engine.close());
    await fresh.post('/twilio/transcription', transcriptParams(fresh.callSid, '我想问问公积金租房提取', 1));
    await page.locator('[data-testid=connection][data-state=online]').waitFor();
    await expect.poll(() => page.locator('[data-testid=transcript]').textContent()).toContain('公积金租房提取');

    // The server restarts on the same port and store; the page recovers by itself.
    await t.hotline.close();
    await fresh.post('/twilio/transcription', transcriptParams(fresh.callSid, '不好意思刚才断了', 2)).catch(() => undefined);
    restarted = await createHotline(t.config, { watchKnowledge: false, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
    await restarted.listen();
    await fresh.post('/twilio/transcription', transcriptParams(fresh.callSid, '营业执照变更地址怎么办', 3));
    await page.locator('[data-testid=connection][data-state=online]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('[data-testid=transcript]').textContent(), { timeout: 15_000 }).toContain('营业执照变更地址');
    expect(await page.locator('[data-testid=transcript]').textContent()).toContain('公积金租房提取');
    expect(await page.evaluate(() => (globalThis as unknown as { __loaded?: boolean }).__loaded)).toBe(true);
    await page.context().close();
  });

  it('loaded nothing from outside the server', () => {
    expect(foreign).toEqual([]);
  });
});
