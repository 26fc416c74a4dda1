import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { until } from '../helpers/wait.ts';
import { startServerProcess } from '../helpers/process.ts';
import path from 'node:path';
import { OverdueDigest } from '../../server/notifications/digest.ts';
import { Templates } from '../../server/notifications/templates.ts';
import { REPO } from '../helpers/hotline.ts';

type TwilioApi = Awaited<ReturnType<typeof startTwilioApi>>;

const FROM = '+861012345';

describe('case messages through the durable outbox (SMS by the twilio client, mail by SMTP)', () => {
  let twilioApi: TwilioApi;
  let smtp: SmtpSink;
  let t: TestHotline;
  const env = () => ({ TWILIO_API_URL: twilioApi.url, TWILIO_SMS_FROM: FROM, SMTP_URL: smtp.url, HOTLINE_SUPERVISOR_EMAILS: 'sup@example.gov.cn', HOTLINE_OUTBOX_SECONDS: '0.2', HOTLINE_FAX_GATEWAY: 'fax.example.test' });
  const fast = { outbox: { backoffBaseMs: 100, backoffMaxMs: 300, maxAttempts: 3 } };
  const texts = (to = '+8613800138000') => twilioApi.requests.filter((r) => r.path.endsWith('/Messages.json') && r.form.To === to);
  const newCase = (phone = '+8613800138000') =>
    t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: phone, callerName: '张先生', district: '东城区', description: '超市结账价格比标价高', channel: 'voice', by: 'agent-li' });

  beforeAll(async () => {
    twilioApi = await startTwilioApi();
    smtp = await startSmtpSink();
    t = await startHotline(env(), fast);
    await t.hotline.departments.update('MARKET', { email: 'desk@market.example.gov.cn' }, 'sup-chen');
  });
  afterAll(async () => {
    await t.close();
    await twilioApi.close();
    await smtp.close();
  });

  it('texts the case number at creation, mails the department on dispatch, and records each message’s status', async () => {
    const c = await newCase();
    await until('the case number by SMS', () => texts().some((r) => r.form.Body?.includes(c.id)));
    const sms = texts().find((r) => r.form.Body?.includes(c.id))!;
    expect(sms.form).toMatchObject({ From: FROM, To: '+8613800138000', StatusCallback: `${t.url}/twilio/outbox/status` });
    expect(sms.authorization).toMatch(/^Basic /);

    await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'MARKET', by: 'agent-li' });
    await until('the dispatch mail', () => smtp.mails.some((m) => m.subject?.includes(c.id)));
    const mail = smtp.mails.find((m) => m.subject?.includes(c.id))!;
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('desk@market.example.gov.cn');
    expect(mail.subject).toMatch(new RegExp(`^【12345派单】${c.id} 投诉·市场监管/价格，请于\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d前签收$`));
    expect(mail.text).toContain('超市结账价格比标价高');
    expect(mail.headers.get('x-hotline-outbox')).toBeDefined();
    await until('the dispatch notice by SMS', () => texts().some((r) => r.form.Body?.includes(`工单${c.id}已转交示例市市场监督管理局`)));

    const rows = await t.hotline.outbox.forCase(c.id);
    expect(rows.map((r) => `${r.kind}:${r.channel}:${r.status}:${r.attempts}`).sort()).toEqual([
      'case.created:sms:sent:1',
      'case.dispatched.department:email:sent:1',
      'case.dispatched:sms:sent:1',
    ]);
    // Twilio's delivery report (signed) marks the text delivered; a forged one is refused.
    const created = rows.find((r) => r.kind === 'case.created')!;
    expect(created.provider_id).toMatch(/^SM/);
    const phone = t.phone();
    const forged = await fetch(`${t.url}/twilio/outbox/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `MessageSid=${created.provider_id}&MessageStatus=failed` });
    expect(forged.status).toBe(403);
    expect((await phone.post('/twilio/outbox/status', { MessageSid: created.provider_id!, MessageStatus: 'delivered' })).status).toBe(200);
    expect((await t.hotline.outbox.get(created.id))!.status).toBe('delivered');
    // A late or repeated report does not undo the final one.
    await phone.post('/twilio/outbox/status', { MessageSid: created.provider_id!, MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect((await t.hotline.outbox.get(created.id))!.status).toBe('delivered');
  });

  it('writes a message in the transaction of its change: a move that fails queues nothing', async () => {
    const c = await newCase();
    const before = (await t.hotline.outbox.forCase(c.id)).length;
    await expect(t.hotline.cases.act(c.id, { type: 'REPLY', by: 'market-zhao', note: '不该发出' })).rejects.toThrow(/cannot take REPLY/);
    expect((await t.hotline.outbox.forCase(c.id)).length).toBe(before);
  });

  it('retries a mail the server put off (451) and gives up at once on one it refused (550)', async () => {
    await t.hotline.departments.update('CITY', { email: 'desk@city.example.gov.cn' }, 'sup-chen');
    smtp.refuseNext(451, 2);
    const c = await newCase('+8613900000001');
    await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'CITY', by: 'agent-li' });
    await until('the mail on the third attempt', async () => (await t.hotline.outbox.forCase(c.id)).some((r) => r.channel === 'email' && r.status === 'sent'));
    const mailRow = (await t.hotline.outbox.forCase(c.id)).find((r) => r.channel === 'email')!;
    expect(mailRow.attempts).toBe(3);
    expect(smtp.mails.filter((m) => m.subject?.includes(c.id))).toHaveLength(1);

    smtp.refuseNext(550);
    const d = await newCase('+8613900000002');
    await t.hotline.cases.act(d.id, { type: 'DISPATCH', department: 'CITY', by: 'agent-li' });
    await until('the refused mail marked failed', async () => (await t.hotline.outbox.forCase(d.id)).some((r) => r.channel === 'email' && r.status === 'failed'));
    const failed = (await t.hotline.outbox.forCase(d.id)).find((r) => r.channel === 'email')!;
    expect(failed).toMatchObject({ attempts: 1, last_error: expect.stringMatching(/^SMTP 550/) });
    // The row is written before the line is logged.
    await until('the failure logged', () => t.logs.some((l) => l.msg === 'message failed for good' && l.outbox === failed.id));
  });

  it('sends an article an agent picks to a caller by SMS or mail, in English when asked, and audits it', async () => {
    await t.hotline.users.add({ username: 'agent-send', roles: ['agent'], password: 'agent-send password!' });
    await t.hotline.users.add({ username: 'editor-send', roles: ['editor'], password: 'editor-send password!' });
    const login = async (u: string) => ((await fetch(`${t.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password: `${u} password!` }) })).headers.get('set-cookie') ?? '').split(';')[0]!;
    const agent = await login('agent-send');
    const send = (cookie: string, id: string, body: unknown) => fetch(`${t.url}/api/knowledge/${id}/send`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bySms = await send(agent, 'housing-fund-withdrawal-rent', { channel: 'sms', to: '+8613900000005' });
    expect(bySms.status).toBe(202);
    await until('the article by SMS', () => texts('+8613900000005').length === 1);
    expect(texts('+8613900000005')[0]!.form.Body).toMatch(/【.*公积金.*】$/);
    const byMail = await send(agent, 'housing-fund-withdrawal-rent', { channel: 'email', to: 'resident@example.com', lang: 'en-US' });
    expect(byMail.status).toBe(202);
    await until('the article by mail', () => smtp.mails.some((m) => (m.to && 'text' in m.to ? m.to.text : '') === 'resident@example.com'));
    const mail = smtp.mails.find((m) => (m.to && 'text' in m.to ? m.to.text : '') === 'resident@example.com')!;
    expect(mail.subject).toMatch(/^(\[Example City 12345\]|【示例市12345】)/);
    expect((mail.text ?? '').length).toBeGreaterThan(200);
    // Refused: a bad address, an unknown article, a role that does not talk to callers, a channel this server lacks.
    expect((await send(agent, 'housing-fund-withdrawal-rent', { channel: 'email', to: '+8613900000005' })).status).toBe(400);
    expect((await send(agent, 'no-such-article', { channel: 'sms', to: '+8613900000005' })).status).toBe(404);
    expect((await send(await login('editor-send'), 'housing-fund-withdrawal-rent', { channel: 'sms', to: '+8613900000005' })).status).toBe(403);
    // By fax: a PDF mailed to the fax gateway.
    expect((await send(agent, 'housing-fund-withdrawal-rent', { channel: 'fax', to: '+86 20 8765 0000'.replace(/ /g, '') })).status).toBe(202);
    await until('the article by fax', () => smtp.mails.some((m) => (m.to && 'text' in m.to ? m.to.text : '') === '862087650000@fax.example.test'));
    // Editors still search the knowledge base (the send route guards itself only).
    expect((await fetch(`${t.url}/api/knowledge/search?q=社保卡`, { headers: { cookie: await login('editor-send') } })).status).toBe(200);
    const audit = await new (await import('../../server/users/audit.ts')).AuditLog(t.hotline.store.db).entries('+8613900000005');
    expect(audit.map((a) => `${a.username} ${a.action}`)).toEqual(['agent-send knowledge.send.sms']);
  });

  it('faxes a department set to fax: the dispatch rendered to PDF and mailed to the fax gateway', async () => {
    await t.hotline.departments.update('HEALTH', { fax: '+862087654321', notifyBy: 'fax' }, 'sup-chen');
    const c = await newCase('+8613900000006');
    await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'HEALTH', by: 'agent-li' });
    await until('the fax', () => smtp.mails.some((m) => (m.to && 'text' in m.to ? m.to.text : '') === '862087654321@fax.example.test' && !!m.subject?.includes(c.id)));
    const fax = smtp.mails.find((m) => (m.to && 'text' in m.to ? m.to.text : '') === '862087654321@fax.example.test' && m.subject?.includes(c.id))!;
    expect(fax.subject).toMatch(new RegExp(`^【12345派单】${c.id} `));
    expect(fax.attachments).toHaveLength(1);
    const pdf = fax.attachments[0]!;
    expect(pdf).toMatchObject({ contentType: 'application/pdf', filename: `${c.id}.pdf` });
    const bytes = pdf.content.toString('latin1');
    expect(bytes.startsWith('%PDF-')).toBe(true);
    expect(bytes.trimEnd().endsWith('%%EOF')).toBe(true);
    // The Chinese text is set in an embedded CJK font (a subset), on one A4 page.
    expect(bytes).toMatch(/\/BaseFont \/[A-Z]{6}\+WenQuanYiMicroHei|\/BaseFont \/[A-Z]{6}\+NotoSansCJK/);
    expect(bytes).toContain('/MediaBox [0 0 595.28 841.89]');
    // The gateway has the mail before the outbox has recorded its answer: wait for the record.
    const faxRow = async () => (await t.hotline.outbox.forCase(c.id)).find((r) => r.channel === 'fax');
    await until('the fax marked sent', async () => (await faxRow())?.status === 'sent');
    expect(await faxRow()).toMatchObject({ status: 'sent', recipient: '+862087654321' });
  });

  it('mails the supervisors each morning the cases past a deadline, once a day whatever runs it', async () => {
    const c = await newCase('+8613900000003');
    await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'MARKET', by: 'agent-li' });
    const past = new Date(Date.now() - 3600_000).toISOString();
    await t.hotline.store.db.updateTable('cases').set({ due_at: past }).where('id', '=', c.id).execute();
    const digest = (at: string) =>
      new OverdueDigest({ db: t.hotline.store.db, cases: t.hotline.cases, departments: t.hotline.departments, outbox: t.hotline.outbox, templates: Templates.load(path.join(REPO, 'notifications')), supervisors: ['sup@example.gov.cn'], log: t.hotline.log, wake: () => t.hotline.dispatcher.kick(), now: () => new Date(at) });
    // 07:30 China time: not yet. 08:05: sent; again at 09:00 and from another instance: not again.
    expect(await digest('2030-03-04T23:30:00+00:00').run()).toBeUndefined();
    const listed = await digest('2030-03-05T00:05:00+00:00').run();
    expect(listed).toBeGreaterThanOrEqual(1);
    expect(await digest('2030-03-05T01:00:00+00:00').run()).toBeUndefined();
    expect(await digest('2030-03-05T01:00:00+00:00').run()).toBeUndefined();
    await until('the digest mail', () => smtp.mails.some((m) => m.subject?.startsWith('【12345超期日报】2030-03-05')));
    const mails = smtp.mails.filter((m) => m.subject?.startsWith('【12345超期日报】2030-03-05'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`【12345超期日报】2030-03-05：${listed}件工单超期`);
    expect(mails[0]!.text).toMatch(new RegExp(`${c.id}  示例市市场监督管理局  签收时限 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  市场监管/价格`));
  });

  it('sends what a stopped server queued once other processes run, takes over an abandoned send, and never sends a message twice', async () => {
    // The sender stops: what is committed now waits in the store, as after a crash between commit and send.
    await t.hotline.dispatcher.stop();
    const waiting: Awaited<ReturnType<typeof newCase>>[] = [];
    for (let i = 0; i < 12; i++) waiting.push(await newCase(`+86139100000${String(i).padStart(2, '0')}`));
    // One message was claimed by a sender that then died: its lease runs out, another process takes it over.
    const abandoned = await newCase('+8613910000099');
    const [claimed] = await t.hotline.outbox.claim(1, 300);
    expect(claimed).toBeDefined();
    await new Promise((r) => setTimeout(r, 400));
    for (const c of [...waiting, abandoned]) expect(texts(c.caller_phone)).toHaveLength(0);
    // Two real server processes on the same store start sending at once.
    const shared = { ...env(), HOTLINE_DATA_DIR: t.dataDir, DATABASE_URL: t.config.databaseUrl ?? '', TWILIO_AUTH_TOKEN: t.config.authToken, TWILIO_ACCOUNT_SID: t.config.accountSid };
    const servers = await Promise.all([startServerProcess(shared), startServerProcess(shared)]);
    try {
      const all = [...waiting, abandoned];
      await until('every waiting text sent', async () => (await Promise.all(all.map((c) => t.hotline.outbox.forCase(c.id)))).every((rows) => rows.every((r) => r.status === 'sent')), 15_000);
      for (const c of all) expect(texts(c.caller_phone), c.caller_phone).toHaveLength(1);
      expect((await t.hotline.outbox.get(claimed!.id))!.attempts).toBe(2);
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
    }
  });
});
