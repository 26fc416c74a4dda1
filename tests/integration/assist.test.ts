import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';
import { connectPanel, login, recordCalls, transcriptParams, type PanelClient } from '../helpers/panel.ts';
import type { SyncReply } from '../../server/assist/protocol.ts';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

describe('agent assist: the live connection of the panel', () => {
  let t: TestHotline;
  let api: Awaited<ReturnType<typeof startTwilioApi>>;
  const cookies: Record<string, string> = {};
  const sockets: PanelClient[] = [];
  const panel = async (who: string) => {
    const s = await connectPanel(t.url, cookies[who]);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    api = await startTwilioApi();
    t = await startHotline({ TWILIO_API_URL: api.url, TWILIO_API_KEY: 'SK' + 'c'.repeat(32), TWILIO_API_SECRET: 'api-secret-for-tests-0123', TWILIO_TWIML_APP_SID: 'AP' + 'd'.repeat(32) });
    const people: Array<[string, Array<'agent' | 'handler' | 'supervisor' | 'editor'>, string[]]> = [
      ['alice', ['agent'], []],
      ['bob', ['agent'], []],
      ['hana', ['handler'], ['HRSS']],
      ['sam', ['supervisor'], []],
      ['eddie', ['editor'], []],
    ];
    for (const [username, roles, departments] of people) {
      await t.hotline.users.add({ username, roles, departments, password: `${username} password!` });
      cookies[username] = await login(t.url, username, `${username} password!`);
    }
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.close();
    await api?.close();
  });

  it('refuses a socket without a valid session', async () => {
    await expect(connectPanel(t.url)).rejects.toThrow(/unauthorized/);
    await expect(connectPanel(t.url, 'hotline_session=forged-token')).rejects.toThrow(/unauthorized/);
  });

  it('shows a call as it happens, transcribes it on the way to a human, and suggests articles for the caller’s words', async () => {
    const alice = await panel('alice');
    const bob = await panel('bob');
    const hana = await panel('hana');
    const aliceCalls = recordCalls(alice);
    const bobCalls = recordCalls(bob);
    const hanaCalls = recordCalls(hana);
    const phone = t.phone({ from: '+8613800138000' });
    await phone.dial();
    await aliceCalls.next((e) => e.type === 'call.started' && e.callSid === phone.callSid);
    // Pressing 0 heads for a human: the TwiML starts real-time transcription, then queues.
    const res = await phone.post('/twilio/voice?step=1', { CallSid: phone.callSid, AccountSid: 'AC' + 'a'.repeat(32), From: '+8613800138000', To: '+12345', Digits: '0', CallStatus: 'in-progress' });
    const doc = xml.parse(res.body).Response;
    expect(doc.Start.Transcription.statusCallbackUrl).toBe(`${t.url}/twilio/transcription`);
    expect(doc.Start.Transcription.track).toBe('both_tracks');
    expect(doc.Enqueue).toBeDefined();
    const step = await aliceCalls.next((e) => e.type === 'call.step' && e.callSid === phone.callSid && e.input?.digits === '0');
    expect(step.type === 'call.step' && step.input?.event).toBeTruthy();
    await aliceCalls.next((e) => e.type === 'call.handed_off' && e.callSid === phone.callSid);

    // The hold music reports the position: agents see it.
    await phone.post('/twilio/voice/wait?lang=zh-CN&queue=general', { CallSid: phone.callSid, AccountSid: 'AC' + 'a'.repeat(32), QueuePosition: '2', QueueTime: '15', QueueSid: 'QU' + '1'.repeat(32) });
    const queued = await aliceCalls.next((e) => e.type === 'call.queued' && e.callSid === phone.callSid);
    expect(queued).toMatchObject({ queue: 'general', position: 2, waitS: 15 });

    // Alice opens the call: she gets its history and, from now on, its words and suggestions.
    const opened = await alice.emitWithAck('watch', phone.callSid);
    expect('events' in opened && opened.events.map((e) => e.type)).toEqual(expect.arrayContaining(['call.started', 'call.step', 'call.handed_off', 'call.queued']));
    // A transcript not signed with the account's token is refused, and shows nowhere.
    const forged = await fetch(`${t.url}/twilio/transcription`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }, body: new URLSearchParams(transcriptParams(phone.callSid, '伪造的转写', 0)).toString() });
    expect(forged.status).toBe(403);
    const hook = await phone.post('/twilio/transcription', transcriptParams(phone.callSid, '你好，我的社保卡丢了，想问一下怎么补办', 1));
    expect(hook.status).toBe(200);
    const transcript = await aliceCalls.next((e) => e.type === 'call.transcript' && e.callSid === phone.callSid);
    expect(transcript).toMatchObject({ track: 'caller', final: true, text: '你好，我的社保卡丢了，想问一下怎么补办' });
    expect(aliceCalls.events.some((e) => e.type === 'call.transcript' && e.text === '伪造的转写')).toBe(false);
    const suggested = await aliceCalls.next((e) => e.type === 'call.suggestions' && e.callSid === phone.callSid);
    expect(suggested.type === 'call.suggestions' && suggested.hits[0]!.id).toBe('social-security-card-replacement');
    expect(suggested.type === 'call.suggestions' && suggested.hits[0]!.voice.length).toBeGreaterThan(20);

    // The latest words weigh most: the caller moves on to another matter.
    await phone.post('/twilio/transcription', transcriptParams(phone.callSid, '还有，公积金租房提取要什么材料', 2));
    const second = await aliceCalls.next((e) => e.type === 'call.suggestions' && e.callSid === phone.callSid && e.id !== suggested.id);
    expect(second.type === 'call.suggestions' && second.hits[0]!.id).toBe('housing-fund-withdrawal-rent');
    // The agent's own words are transcript, not a question.
    await phone.post('/twilio/transcription', transcriptParams(phone.callSid, '好的，我帮您查一下', 3, 'outbound_track'));
    await aliceCalls.next((e) => e.type === 'call.transcript' && e.track === 'agent');

    // Bob did not open the call: list events only. The handler sees no calls at all.
    // (A round trip on each socket first, so anything wrongly sent to them has arrived.)
    await bob.emitWithAck('sync', { watch: [] });
    await hana.emitWithAck('sync', { watch: [] });
    expect(bobCalls.events.some((e) => e.callSid === phone.callSid && e.type === 'call.queued')).toBe(true);
    expect(bobCalls.events.some((e) => e.type === 'call.transcript' || e.type === 'call.suggestions')).toBe(false);
    expect(hanaCalls.events).toEqual([]);
    expect(await hana.emitWithAck('watch', phone.callSid)).toEqual({ error: 'forbidden' });
  });

  it('resynchronises a panel from the store: every live call, and the whole history of the ones it shows', async () => {
    const phone = t.phone({ from: '+8613900139000' });
    await phone.dial();
    await phone.press('0');
    // Another seat watches the call: an event is pushed only once it is stored, so when the
    // suggestion reaches it, the whole call is in the store.
    const observer = await panel('sam');
    const observed = recordCalls(observer);
    await observer.emitWithAck('watch', phone.callSid);
    await phone.post('/twilio/transcription', transcriptParams(phone.callSid, '营业执照怎么变更地址', 1));
    await observed.next((e) => e.type === 'call.suggestions' && e.callSid === phone.callSid);
    const watcher = await panel('alice');
    // The panel was away while all that happened; it asks again, as on every reconnect.
    const reply = (await watcher.emitWithAck('sync', { watch: [phone.callSid] })) as SyncReply;
    expect(reply.user.username).toBe('alice');
    const events = reply.calls[phone.callSid]!;
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['call.started', 'call.handed_off', 'call.transcript', 'call.suggestions']));
    expect(events[0]!.type).toBe('call.started');
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.findIndex((e) => e.type === 'call.transcript')).toBeLessThan(events.findIndex((e) => e.type === 'call.suggestions'));
    // Calls the panel does not show come without their transcripts.
    const other = await panel('bob');
    const listed = (await other.emitWithAck('sync', { watch: [] })) as SyncReply;
    expect(listed.calls[phone.callSid]!.some((e) => e.type === 'call.transcript')).toBe(false);
    expect(listed.calls[phone.callSid]!.some((e) => e.type === 'call.started')).toBe(true);
    // An ended call is still listed, ended, for a while (it drops out two minutes later).
    await phone.hangup(40);
    const after = (await other.emitWithAck('sync', { watch: [] })) as SyncReply;
    expect(after.calls[phone.callSid]!.at(-1)!.type).toBe('call.ended');
  });

  it('moves a queued call to the agent who takes it over, once', async () => {
    const phone = t.phone({ from: '+8613700137000' });
    await phone.dial();
    await phone.press('0');
    const sam = await panel('sam');
    const samCalls = recordCalls(sam);
    const before = api.requests.length;
    const res = await fetch(`${t.url}/api/calls/${phone.callSid}/take`, { method: 'POST', headers: { cookie: cookies.alice! } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ agent: 'alice', identity: 'agent_alice' });
    const update = api.requests.slice(before).find((r) => r.path.endsWith(`/Calls/${phone.callSid}.json`));
    expect(update?.method).toBe('POST');
    const twiml = xml.parse(update!.form.Twiml!).Response;
    expect(twiml.Dial.Client.Identity).toBe('agent_alice');
    expect(twiml.Dial.Client.Parameter).toEqual({ name: 'callSid', value: phone.callSid });
    expect(twiml.Dial.action).toContain('/twilio/voice/after-dial');
    await samCalls.next((e) => e.type === 'call.assigned' && e.callSid === phone.callSid && e.agent === 'alice');
    const again = await fetch(`${t.url}/api/calls/${phone.callSid}/take`, { method: 'POST', headers: { cookie: cookies.bob! } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toContain('alice');
    // Alice did not answer: the caller is back in the queue and Bob may take the call.
    await phone.post(twiml.Dial.action, { CallSid: phone.callSid, AccountSid: 'AC' + 'a'.repeat(32), DialCallStatus: 'no-answer' });
    await samCalls.next((e) => e.type === 'call.handed_off' && e.callSid === phone.callSid);
    await new Promise((r) => setTimeout(r, 100));
    const bobTakes = await fetch(`${t.url}/api/calls/${phone.callSid}/take`, { method: 'POST', headers: { cookie: cookies.bob! } });
    expect(bobTakes.status).toBe(200);
    // A handler may not take calls; an unknown call is not found.
    expect((await fetch(`${t.url}/api/calls/${phone.callSid}/take`, { method: 'POST', headers: { cookie: cookies.hana! } })).status).toBe(403);
    expect((await fetch(`${t.url}/api/calls/CA${'0'.repeat(32)}/take`, { method: 'POST', headers: { cookie: cookies.alice! } })).status).toBe(404);
  });

  it('mints a browser-phone token with a Voice grant for the signed-in agent', async () => {
    const res = await fetch(`${t.url}/api/voice/token`, { headers: { cookie: cookies.alice! } });
    expect(res.status).toBe(200);
    const { token, identity } = (await res.json()) as { token: string; identity: string };
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    expect(identity).toBe('agent_alice');
    expect(claims.grants.identity).toBe('agent_alice');
    expect(claims.grants.voice.incoming.allow).toBe(true);
    expect(claims.grants.voice.outgoing.application_sid).toBe('AP' + 'd'.repeat(32));
    expect(claims.iss).toBe('SK' + 'c'.repeat(32));
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
    // Verified with the secret, as Twilio would.
    const { createHmac } = await import('node:crypto');
    const [h, p, sig] = token.split('.');
    expect(createHmac('sha256', 'api-secret-for-tests-0123').update(`${h}.${p}`).digest('base64url')).toBe(sig);
    expect((await fetch(`${t.url}/api/voice/token`, { headers: { cookie: cookies.hana! } })).status).toBe(403);
    expect((await fetch(`${t.url}/api/voice/token`)).status).toBe(401);
  });

  it('stores agents’ verdicts on suggestions for editors, with the questions that found nothing', async () => {
    const post = (helpful: boolean) =>
      fetch(`${t.url}/api/assist/feedback`, { method: 'POST', headers: { cookie: cookies.alice!, 'content-type': 'application/json' }, body: JSON.stringify({ callSid: 'CA' + '7'.repeat(32), articleId: 'id-card-replacement', helpful, query: '身份证掉了' }) });
    expect((await post(false)).status).toBe(201);
    expect((await post(false)).status).toBe(201);
    expect((await post(true)).status).toBe(201);
    const bad = await fetch(`${t.url}/api/assist/feedback`, { method: 'POST', headers: { cookie: cookies.alice!, 'content-type': 'application/json' }, body: JSON.stringify({ callSid: 'x', articleId: '', helpful: 'yes' }) });
    expect(bad.status).toBe(400);
    const phone = t.phone();
    await phone.dial();
    await phone.press('1');
    await phone.say('火星上的签证怎么办理');
    const res = await fetch(`${t.url}/api/assist/feedback`, { headers: { cookie: cookies.eddie! } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { articles: Array<{ articleId: string; helpful: number; unhelpful: number; misfits: string[] }>; unanswered: Array<{ question: string }> };
    expect(body.articles.find((a) => a.articleId === 'id-card-replacement')).toMatchObject({ helpful: 1, unhelpful: 2, misfits: ['身份证掉了', '身份证掉了'] });
    expect(body.unanswered.map((u) => u.question)).toContain('火星上的签证怎么办理');
    expect((await fetch(`${t.url}/api/assist/feedback`, { headers: { cookie: cookies.alice! } })).status).toBe(403);
  });

  it('pushes case changes to the department’s handlers and the supervisors, and the wallboard to supervisors', async () => {
    const hana = await panel('hana');
    const sam = await panel('sam');
    const alice = await panel('alice');
    const got = { hana: [] as string[], sam: [] as string[], alice: [] as string[] };
    hana.on('case', (c) => got.hana.push(c.caseId));
    sam.on('case', (c) => got.sam.push(c.caseId));
    alice.on('case', (c) => got.alice.push(c.caseId));
    const wall = new Promise<{ agentsAvailable: number }>((resolve) => sam.on('wallboard', (w) => w.agentsAvailable > 0 && resolve(w)));
    const aliceAgain = await panel('alice');
    alice.emit('presence', 'available');
    aliceAgain.emit('presence', 'available');
    // Alice has two tabs open (two sockets): she counts once.
    expect((await wall).agentsAvailable).toBe(1);
    const created = await fetch(`${t.url}/api/cases`, {
      method: 'POST',
      headers: { cookie: cookies.alice!, 'content-type': 'application/json' },
      body: JSON.stringify({ type: '求助', category: '社会保障/社保卡', callerPhone: '+8613800138000', description: '社保卡遗失，需补办', channel: 'voice' }),
    });
    const { case: c } = (await created.json()) as { case: { id: string } };
    await fetch(`${t.url}/api/cases/${c.id}/events`, { method: 'POST', headers: { cookie: cookies.alice!, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'DISPATCH', department: 'HRSS' }) });
    const deadline = Date.now() + 5000;
    while (!got.hana.includes(c.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got.hana).toContain(c.id);
    expect(got.sam).toContain(c.id);
    expect(got.alice).toEqual([]);

    // The deadline passes: the scan escalates the case and the alert reaches the supervisors and the department, once.
    const alerts = { hana: [] as string[], sam: [] as string[], alice: [] as string[] };
    hana.on('alert', (a) => alerts.hana.push(`${a.caseId}:${a.kind}:${a.escalated}`));
    sam.on('alert', (a) => alerts.sam.push(`${a.caseId}:${a.kind}:${a.escalated}`));
    alice.on('alert', (a) => alerts.alice.push(a.caseId));
    const past = new Date(Date.now() - 60_000).toISOString();
    await t.hotline.store.db.updateTable('cases').set({ due_at: past, warn_at: past, next_check_at: past }).where('id', '=', c.id).execute();
    await t.hotline.scheduler.tick();
    await t.hotline.scheduler.tick();
    const until = Date.now() + 5000;
    while ((alerts.sam.length === 0 || alerts.hana.length === 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    expect(alerts.sam).toEqual([`${c.id}:overdue:true`]);
    expect(alerts.hana).toEqual([`${c.id}:overdue:true`]);
    expect(alerts.alice).toEqual([]);
    const board = await new Promise<{ overdueCases: number }>((resolve) => sam.on('wallboard', (w) => w.overdueCases > 0 && resolve(w)));
    expect(board.overdueCases).toBe(1);

    // Sent to another department, the case leaves the first one's inbox: its handlers are told too.
    const returned = await fetch(`${t.url}/api/cases/${c.id}/events`, { method: 'POST', headers: { cookie: cookies.hana!, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'RETURN', reason: '不属于本部门职责' }) });
    expect(returned.status).toBe(201);
    await new Promise((r) => setTimeout(r, 100));
    got.hana.length = 0;
    const moved = await fetch(`${t.url}/api/cases/${c.id}/events`, { method: 'POST', headers: { cookie: cookies.alice!, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'REDISPATCH', department: 'HEALTHCARE' }) });
    expect(moved.status).toBe(201);
    const by = Date.now() + 5000;
    while (!got.hana.includes(c.id) && Date.now() < by) await new Promise((r) => setTimeout(r, 20));
    expect(got.hana).toEqual([c.id]);
  });
});
