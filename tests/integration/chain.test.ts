import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioPhone } from '../../server/cli/phone.ts';
import { openStore } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshPostgres, testStore } from '../helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { until } from '../helpers/wait.ts';

const CALLER = '+8613800138000';
const TOKEN = 'chain-test-auth-token-0123456789';
const SID = 'AC' + 'c'.repeat(32);
const KEY = 'chain-open311-key-0123456789';
const sms = new XMLParser({ parseTagValue: false, isArray: (n) => n === 'Message' });


describe(`the whole chain, on real server processes killed with SIGKILL between steps (${testStore()} store)`, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-chain-'));
  let postgres: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  let twilioApi: Awaited<ReturnType<typeof startTwilioApi>>;
  let smtp: SmtpSink;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    if (testStore() === 'postgres') postgres = await freshPostgres();
    twilioApi = await startTwilioApi();
    smtp = await startSmtpSink();
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await twilioApi.close();
    await smtp.close();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    HOTLINE_DATA_DIR: dataDir,
    DATABASE_URL: postgres?.url ?? '',
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_API_URL: twilioApi.url,
    TWILIO_SMS_FROM: '+861012345',
    TWILIO_VOICE_FROM: '+861012345',
    SMTP_URL: smtp.url,
    HOTLINE_SUPERVISOR_EMAILS: 'sup@example.gov.cn',
    HOTLINE_CALLBACK_AFTER_MINUTES: '0',
    HOTLINE_OUTBOX_SECONDS: '0.3',
    HOTLINE_OUTBOX_LEASE_SECONDS: '3',
    HOTLINE_DEADLINE_SCAN_SECONDS: '1',
    OPEN311_API_KEYS: KEY,
  });
  /**
   * kill -9 the running server between two steps — once the messages of the last step have left
   * (a kill while a message is with the provider but not yet marked sent is the one window in
   * which it is sent again; docs/notifications.md) — and start another on the same store.
   */
  const restart = async () => {
    const store = await openStore({ dataDir, databaseUrl: postgres?.url });
    try {
      await until('the outbox to settle', async () => {
        const busy = await store.db.selectFrom('outbox').select('id').where('status', 'in', ['queued', 'sending']).where('next_attempt_at', '<=', new Date().toISOString()).execute();
        return busy.length === 0;
      });
    } finally {
      await store.close();
    }
    server?.child.kill('SIGKILL');
    await new Promise((r) => server?.child.once('exit', r));
    server = await startServerProcess(env());
  };
  const addUser = (name: string, role: string, dept?: string) =>
    new Promise<void>((resolve, reject) => {
      const p = spawn(process.execPath, ['bin/hotline.mjs', 'users', 'add', name, '--role', role, ...(dept ? ['--department', dept] : []), '--password-stdin'], { cwd: REPO, env: { ...process.env, ...env() }, stdio: ['pipe', 'ignore', 'inherit'] });
      p.stdin!.end(`${name} password!`);
      p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`users add ${name}: exit ${code}`))));
    });

  const cookies: Record<string, string> = {};
  const api = async (who: string, method: string, p: string, body?: unknown) => {
    if (!cookies[who]) {
      const res = await fetch(`${server!.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: who, password: `${who} password!` }) });
      cookies[who] = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const res = await fetch(`${server!.url}/api${p}`, { method, headers: { cookie: cookies[who]!, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const move = async (who: string, id: string, body: unknown) => {
    const r = await api(who, 'POST', `/cases/${id}/events`, body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.case as Record<string, any>;
  };
  const phone = (o: { from?: string; to?: string } = {}) => new TwilioPhone({ baseUrl: server!.url, authToken: TOKEN, accountSid: SID, from: o.from ?? CALLER, to: o.to });
  const texts = (match: string) => twilioApi.requests.filter((r) => r.path.endsWith('/Messages.json') && r.form.To === CALLER && r.form.Body?.includes(match));
  const mails = (to: string, match: string) => smtp.mails.filter((m) => (m.to && 'text' in m.to ? m.to.text : '') === to && m.subject?.includes(match));
  const callbacks = (id: string) => twilioApi.requests.filter((r) => r.path.endsWith('/Calls.json') && r.form.Url?.endsWith(`case=${id}`));
  const statusBySms = async (id: string) => {
    const res = await phone().post('/twilio/sms', { MessageSid: `SM${Date.now()}${Math.random().toString().slice(2, 12)}`.padEnd(34, '0'), AccountSid: SID, From: CALLER, To: '+8612345', Body: `查询 ${id}` });
    return ((sms.parse(res.body) as { Response: { Message?: string[] } }).Response.Message ?? []).join('');
  };

  it('a complaint by phone: numbered, dispatched, late and escalated once, replied, rated 不满意 and reopened, replied, rated 满意, closed — every message once', async () => {
    server = await startServerProcess(env());
    await addUser('chain-agent', 'agent');
    await addUser('chain-market', 'handler', 'MARKET');
    await addUser('chain-sup', 'supervisor');
    expect((await api('chain-sup', 'PATCH', '/departments/MARKET', { email: 'desk@market.example.gov.cn' })).status).toBe(200);

    // A call: the caller chooses 3 and tells the complaint; the flow hands them to the complaints desk.
    const call = phone();
    await call.dial();
    await call.press('3');
    const told = await call.say('东城区人民路的超市结账价格比标价高，要求退还差价');
    expect(told.handoff).toEqual({ queue: 'complaints' });
    // The agent who takes the call opens the case from it.
    const created = await api('chain-agent', 'POST', '/cases', { type: '投诉', category: '市场监管/价格', callerPhone: CALLER, district: '东城区', description: '超市结账价格比标价高，要求退还差价', channel: 'voice', callSid: call.callSid });
    expect(created.status).toBe(201);
    expect(created.body.suggestedDepartment.department).toBe('MARKET');
    const id = created.body.case.id as string;
    await until('the case number by SMS', () => texts(id).length > 0);

    await restart();
    await move('chain-agent', id, { type: 'DISPATCH', department: 'MARKET' });
    await until('the dispatch mail to the department', () => mails('desk@market.example.gov.cn', `【12345派单】${id}`).length > 0);
    await restart();
    await move('chain-market', id, { type: 'ACCEPT' });
    // The caller checks by voice and by SMS.
    const byVoice = phone();
    await byVoice.dial();
    await byVoice.press('2');
    expect((await byVoice.press(id)).heard.join(' ')).toContain('示例市市场监督管理局已签收');
    expect(await statusBySms(id)).toContain('示例市市场监督管理局已签收');

    // Late: the reply deadline passes; the server's scheduler escalates once and mails the supervisor.
    const store = await openStore({ dataDir, databaseUrl: postgres?.url });
    const past = new Date(Date.now() - 60_000).toISOString();
    await store.db.updateTable('cases').set({ due_at: past, warn_at: past, next_check_at: past }).where('id', '=', id).execute();
    await store.close();
    await until('the supervision mail', () => mails('sup@example.gov.cn', `【12345督办】${id}`).length > 0);
    await restart();

    await move('chain-market', id, { type: 'REPLY', note: '已责令超市按标价结算并退还差价' });
    await until('the reply by SMS', () => texts('已责令超市按标价结算并退还差价').length > 0);
    const first = await until('the callback call', () => callbacks(id)[0]);
    await restart();
    // Twilio places the call: the caller answers and presses 3 (不满意): the case is reopened.
    const unhappy = phone({ from: '+861012345', to: CALLER });
    await unhappy.pickUp(first.form.Url!.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''));
    expect((await unhappy.press('3')).heard.join(' ')).toContain('您的工单已重新交办');
    expect((await api('chain-agent', 'GET', `/cases/${id}`)).body.case.state).toBe('in_progress');

    await move('chain-market', id, { type: 'REPLY', note: '已退还差价并当面致歉' });
    const second = await until('the second callback call', () => callbacks(id)[1]);
    await restart();
    const happy = phone({ from: '+861012345', to: CALLER });
    await happy.pickUp(second.form.Url!.replace(/^http:\/\/127\.0\.0\.1:\d+/, ''));
    expect((await happy.press('1')).heard.join(' ')).toContain('感谢您的评价');
    const closed = (await api('chain-agent', 'GET', `/cases/${id}`)).body.case;
    expect(closed).toMatchObject({ state: 'closed', supervisions: 1 });

    // Visible over Open311, without the caller's number.
    const open311 = await fetch(`${server!.url}/open311/v2/requests/${id}.json`);
    const public311 = await open311.text();
    expect(JSON.parse(public311)[0]).toMatchObject({ service_request_id: id, status: 'closed', service_code: 'MARKET-PRICE', agency_responsible: '示例市市场监督管理局' });
    expect(public311).not.toContain('13800138000');

    // Every message exactly once, across five kills. One that a killed server had claimed but
    // not sent is taken over when its lease (3 s here) runs out.
    await until('the overdue notice to the department', () => mails('desk@market.example.gov.cn', `【12345超期通知】${id}`).length > 0);
    await new Promise((r) => setTimeout(r, 1500)); // anything still due would be sent by now
    expect(texts(`工单号${id}`)).toHaveLength(1);
    expect(texts(`您的工单${id}已转交`)).toHaveLength(1);
    expect(texts(`您的工单${id}已由示例市市场监督管理局答复`)).toHaveLength(2);
    expect(mails('desk@market.example.gov.cn', `【12345派单】${id}`)).toHaveLength(1);
    expect(mails('sup@example.gov.cn', `【12345督办】${id}`)).toHaveLength(1);
    expect(mails('desk@market.example.gov.cn', `【12345超期通知】${id}`)).toHaveLength(1);
    expect(callbacks(id)).toHaveLength(2);
    const history = (await api('chain-agent', 'GET', `/cases/${id}/events`)).body.events.map((e: { type: string }) => e.type);
    expect(history).toEqual(['CREATE', 'DISPATCH', 'ACCEPT', 'SUPERVISE', 'REPLY', 'CALLBACK', 'REOPEN', 'REPLY', 'CALLBACK', 'CLOSE']);
  }, 120_000);
});
