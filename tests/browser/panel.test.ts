import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { XMLParser } from 'fast-xml-parser';
import { createHotline, type Hotline } from '../../server/main.ts';
import { REPO, startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { transcriptParams } from '../helpers/panel.ts';
import type { TwilioPhone } from '../../server/cli/phone.ts';

const CHROMIUM = process.env.HOTLINE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(REPO, 'docs', 'screenshots');
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

/**
 * The agent panel in a real browser (Debian's Chromium, driven by playwright-core) against
 * the real server: calls scripted as Twilio sends them, cases through the real API.
 */
describe('agent panel in Chromium', () => {
  let t: TestHotline;
  let api: Awaited<ReturnType<typeof startTwilioApi>>;
  let browser: Browser;
  let restarted: Hotline | undefined;
  const foreign: string[] = [];
  let caseId = '';
  let phone: TwilioPhone;

  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith(t.url) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(`${r.resourceType()} ${r.url()}`);
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
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set HOTLINE_TEST_CHROMIUM`);
    execFileSync(process.execPath, [path.join(REPO, 'bin', 'build-ui.mjs')], { cwd: REPO, stdio: 'ignore' });
    api = await startTwilioApi();
    t = await startHotline({ TWILIO_API_URL: api.url, TWILIO_SMS_FROM: '+8612345', HOTLINE_OUTBOX_SECONDS: '0.2' });
    for (const [username, roles, departments] of [
      ['alice', ['agent'], []],
      ['hana', ['handler'], ['HRSS']],
      ['sam', ['supervisor'], []],
    ] as const) {
      await t.hotline.users.add({ username, roles: [...roles], departments: [...departments], password: `${username} password!` });
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
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
    expect(xml.parse(update.form.Twiml!).Response.Dial.Client).toBe('agent_alice');
    await page.locator('[data-testid=list-tab-mine]').click();
    await expect.poll(() => item.getAttribute('data-status')).toBe('with_agent');

    await page.locator('[data-testid=create-case]').click();
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

  it('the department handler sees the case in the inbox and accepts it', async () => {
    const page = await open();
    await signIn(page, 'hana');
    const row = page.locator(`[data-testid=inbox-case][data-case-id="${caseId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-overdue')).toBe('false');
    expect(await row.locator('[data-testid=time-left]').textContent()).toMatch(/\d/);
    await page.screenshot({ path: path.join(SHOTS, 'inbox.png') });
    await row.locator('[data-testid=case-accept]').click();
    await expect.poll(async () => (await t.hotline.cases.get(caseId))?.state).toBe('accepted');
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
    restarted = await createHotline(t.config, { watchKnowledge: false });
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
