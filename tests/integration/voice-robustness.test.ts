import twilio from 'twilio';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTwiml } from '../../server/cli/phone.ts';
import { APOLOGY } from '../../server/voice/twiml.ts';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

type Params = Record<string, string | string[]>;

let seq = 0;
const newSid = () => 'CA' + (Date.now().toString(16) + (seq++).toString(16).padStart(4, '0')).padStart(32, '0');

const GREETING_ZH = '欢迎致电示例市12345';
const POLICY_ZH = '请说出您要咨询的政策问题';

/** A signed POST exactly as Twilio makes it; `body` overrides the encoded form (raw bytes). */
async function signedPost(t: TestHotline, pathAndQuery: string, params: Params, body?: string | Uint8Array, contentType = 'application/x-www-form-urlencoded') {
  const signature = twilio.getExpectedTwilioSignature(t.config.authToken, t.url + pathAndQuery, params);
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
  const res = await fetch(t.url + pathAndQuery, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-twilio-signature': signature },
    body: body ?? form.toString(),
  });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const callParams = (t: TestHotline, callSid: string | undefined, extra: Params = {}): Params => ({
  ...(callSid !== undefined ? { CallSid: callSid } : {}),
  AccountSid: t.config.accountSid,
  From: '+8613800138000',
  To: '+8612345',
  Direction: 'inbound',
  CallStatus: 'in-progress',
  ApiVersion: '2010-04-01',
  ...extra,
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseTagValue: false });

/** The verbs directly under <Response>, in order; fails unless the document is well-formed TwiML. */
function verbs(doc: string): string[] {
  expect(XMLValidator.validate(doc)).toBe(true);
  const parsed = xml.parse(doc) as Array<Record<string, unknown>>;
  const roots = parsed.filter((n) => !('?xml' in n));
  expect(roots).toHaveLength(1);
  const response = roots[0]!;
  expect(Object.keys(response).filter((k) => k !== ':@')).toEqual(['Response']);
  return ((response.Response as Array<Record<string, unknown>>) ?? []).map((v) => Object.keys(v).find((k) => k !== ':@')!);
}

/** 200, text/xml, a <Response>; returns what the caller hears and what happens next. */
function twimlOf(res: { status: number; body: string; type: string }) {
  expect(res.status).toBe(200);
  expect(res.type).toContain('text/xml');
  verbs(res.body);
  return readTwiml(res.body);
}

/** The apology and the human queue: what every failure must turn into. */
function expectApology(res: { status: number; body: string; type: string }, t: TestHotline, langs: Array<'zh-CN' | 'en-US'> = ['zh-CN', 'en-US']) {
  const doc = twimlOf(res);
  expect(verbs(res.body)).toEqual([...langs.map(() => 'Say'), 'Enqueue']);
  expect(doc.heard).toEqual(langs.map((l) => APOLOGY[l]));
  expect(doc.handoff).toEqual({ queue: t.config.humanQueue });
  expect(res.body).toContain(`waitUrl="${t.url}/twilio/voice/wait`);
}

async function row(t: TestHotline, callSid: string) {
  return t.hotline.store.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirst();
}

async function dial(t: TestHotline, callSid = newSid(), from = '+8613800138000') {
  const res = await signedPost(t, '/twilio/voice', callParams(t, callSid, { CallStatus: 'ringing', From: from }));
  const doc = twimlOf(res);
  expect(doc.gather?.action).toBe(`${t.url}/twilio/voice?step=1`);
  return { callSid, res, doc };
}

/** Answer the gather at `step` (the token in the action URL). */
const answer = (t: TestHotline, callSid: string, step: number | string, extra: Params) => signedPost(t, `/twilio/voice?step=${step}`, callParams(t, callSid, extra));

async function metricsText(t: TestHotline) {
  return (await fetch(`${t.url}/metrics`)).text();
}

describe('voice webhooks under hostile or broken input: always TwiML, never a 5xx', () => {
  let t: TestHotline;
  beforeAll(async () => {
    t = await startHotline();
  });
  afterAll(async () => t.close());

  it('a 10 KB SpeechResult is cut to 500 characters and still answered', async () => {
    const { callSid } = await dial(t);
    const speech = '社保卡丢了怎么办'.repeat(430); // 3,440 characters, 10,320 UTF-8 bytes
    expect(Buffer.byteLength(speech)).toBeGreaterThan(10_000);
    const res = await answer(t, callSid, 1, { SpeechResult: speech, Confidence: '0.9' });
    const doc = twimlOf(res);
    // The question is searched (cut to 500 characters) and the knowledge base answers it.
    expect(doc.gather).toBeDefined();
    expect(doc.heard.join('')).toContain('挂失');
    expect(doc.heard.join('')).not.toContain('社保卡丢了怎么办社保卡丢了怎么办');
    const r = (await row(t, callSid))!;
    expect(r).toMatchObject({ step: 2, state: 'answer', handoff_target: null });
    const inputs = JSON.parse(r.inputs) as Array<{ speech?: string; event: string }>;
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.event).toBe('SPEECH');
    expect(inputs[0]!.speech).toBe(speech.slice(0, 500));
  });

  it('10 KB of Digits is an invalid choice: the menu is repeated, nothing crashes', async () => {
    const { callSid } = await dial(t);
    const doc = twimlOf(await answer(t, callSid, 1, { Digits: '7'.repeat(10_240) }));
    expect(doc.heard[0]).toBe('抱歉，没有听清您的选择。');
    expect(doc.heard[1]).toContain(GREETING_ZH);
    expect(doc.gather?.action).toBe(`${t.url}/twilio/voice?step=2`);
    expect(await row(t, callSid)).toMatchObject({ step: 2, state: 'greeting' });
  });

  it('a webhook without CallSid gets the apology and the human queue, and no call is recorded', async () => {
    const before = await t.hotline.store.db.selectFrom('calls').select('call_sid').execute();
    expectApology(await signedPost(t, '/twilio/voice', callParams(t, undefined)), t);
    expectApology(await signedPost(t, '/twilio/voice?step=2', callParams(t, undefined, { Digits: '1' })), t);
    expectApology(await signedPost(t, '/twilio/voice', callParams(t, '')), t);
    const after = await t.hotline.store.db.selectFrom('calls').select('call_sid').execute();
    expect(after).toHaveLength(before.length);
    expect(t.logs.some((l) => l.msg === 'voice webhook without a usable CallSid; sending the caller to a human' && l.hasCallSid === false)).toBe(true);
  });

  it('a malformed CallSid (path characters, too short) is refused the same way and never stored', async () => {
    for (const sid of ['../../etc/passwd', 'CA1', "CA'; DROP TABLE calls;--", 'CA' + 'f'.repeat(100)]) {
      expectApology(await signedPost(t, '/twilio/voice', callParams(t, sid)), t);
      expect(await row(t, sid)).toBeUndefined();
    }
  });

  it('an unknown CallSid with a step token (mid-flow) gets the apology and the queue, and creates no record', async () => {
    const sid = newSid();
    expectApology(await answer(t, sid, 3, { Digits: '1' }), t);
    expect(await row(t, sid)).toBeUndefined();
    expect(t.logs.some((l) => l.msg === 'answer for a call we have no record of; sending the caller to a human' && l.callSid === sid && l.step === 3)).toBe(true);
  });

  it('a stale step token (an old prompt replayed after the call moved on) repeats the current prompt and moves nothing', async () => {
    const { callSid } = await dial(t);
    expect(twimlOf(await answer(t, callSid, 1, { Digits: '1' })).heard[0]).toContain(POLICY_ZH); // step 1 → policy
    const back = twimlOf(await answer(t, callSid, 2, { Digits: '*' })); // step 2 → greeting
    expect(back.heard[0]).toContain(GREETING_ZH);
    const before = (await row(t, callSid))!;
    expect(before).toMatchObject({ step: 3, last_step: 2, state: 'greeting' });

    // Step 1 again, now with a different key: the old token must not drive the call.
    for (const stale of [1, 0, 42, 'abc', '99999999999', '-1']) {
      const doc = twimlOf(await answer(t, callSid, stale, { Digits: '3' }));
      expect(doc.heard).toEqual(back.heard);
      expect(doc.gather?.action).toBe(`${t.url}/twilio/voice?step=3`);
    }
    const after = (await row(t, callSid))!;
    expect(after).toMatchObject({ step: 3, last_step: 2, state: 'greeting', inputs: before.inputs, path: before.path });
    // The current token still works.
    expect(twimlOf(await answer(t, callSid, 3, { Digits: '3' })).heard[0]).toContain('请简要说明');
    expect(await row(t, callSid)).toMatchObject({ step: 4, state: 'complaint' });
  });

  it('a replayed webhook (the same step twice) gets byte-identical TwiML and advances the call once', async () => {
    const { callSid } = await dial(t);
    const first = await answer(t, callSid, 1, { Digits: '2' });
    const second = await answer(t, callSid, 1, { Digits: '2' });
    expect(twimlOf(first).heard[0]).toContain('请输入您的办件编号');
    expect(second.status).toBe(200);
    expect(second.body).toBe(first.body);
    const r = (await row(t, callSid))!;
    expect(r).toMatchObject({ step: 2, last_step: 1, state: 'caseNumber' });
    const inputs = JSON.parse(r.inputs) as Array<{ digits?: string; event: string }>;
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ digits: '2', event: 'CASE', state: 'greeting' });
    expect(JSON.parse(r.path)).toEqual(['greeting', 'caseNumber']);
  });

  it('a retried first webhook (no step) returns the same greeting and keeps one call', async () => {
    const { callSid, res } = await dial(t);
    const again = await signedPost(t, '/twilio/voice', callParams(t, callSid, { CallStatus: 'ringing' }));
    expect(again.body).toBe(res.body);
    const rows = await t.hotline.store.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ step: 1, last_step: 0 });
  });

  it('concurrent identical webhooks (Promise.all) advance the call exactly once and all get the same answer', async () => {
    const { callSid } = await dial(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => answer(t, callSid, 1, { Digits: '3' })));
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body).toBe(results[0]!.body);
    }
    expect(twimlOf(results[0]!).heard[0]).toContain('请简要说明');
    const r = (await row(t, callSid))!;
    expect(r).toMatchObject({ step: 2, last_step: 1, state: 'complaint' });
    expect(JSON.parse(r.inputs)).toHaveLength(1);
    expect(JSON.parse(r.path)).toEqual(['greeting', 'complaint']);
  });

  it('concurrent first webhooks for one new call create one record', async () => {
    const sid = newSid();
    const results = await Promise.all(Array.from({ length: 5 }, () => signedPost(t, '/twilio/voice', callParams(t, sid, { CallStatus: 'ringing' }))));
    for (const r of results) expect(r.body).toBe(results[0]!.body);
    expect(twimlOf(results[0]!).heard[0]).toContain(GREETING_ZH);
    const rows = await t.hotline.store.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).execute();
    expect(rows).toHaveLength(1);
    expect(t.logs.filter((l) => l.msg === 'call started' && l.callSid === sid)).toHaveLength(1);
  });

  it('percent-encoded invalid UTF-8 (%FF%FE) in the body is served, signed over the value the server decodes', async () => {
    const { callSid } = await dial(t);
    // The form is decoded as WHATWG form encoding does: an undecodable %-sequence becomes
    // U+FFFD, and the signature is checked over that value.
    const params = callParams(t, callSid, { SpeechResult: '\uFFFD\uFFFD' });
    const raw = new URLSearchParams(callParams(t, callSid) as Record<string, string>).toString() + '&SpeechResult=%FF%FE';
    const res = await signedPost(t, '/twilio/voice?step=1', params, raw);
    const doc = twimlOf(res);
    expect(doc.gather ?? doc.handoff).toBeDefined();
    const r = (await row(t, callSid))!;
    expect(r.step).toBe(2);
    expect(JSON.parse(r.inputs)[0]).toMatchObject({ event: 'NO_INPUT' });
  });

  it('raw non-UTF-8 bytes in the body are decoded to U+FFFD and served', async () => {
    const { callSid } = await dial(t);
    const head = new URLSearchParams(callParams(t, callSid) as Record<string, string>).toString();
    const raw = Buffer.concat([Buffer.from(head + '&SpeechResult=' + encodeURIComponent('转人工')), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('&Digits='), Buffer.from([0x80])]);
    const params = callParams(t, callSid, { SpeechResult: '转人工\uFFFD\uFFFD\uFFFD', Digits: '\uFFFD' });
    const doc = twimlOf(await signedPost(t, '/twilio/voice?step=1', params, raw));
    // The words around the broken bytes still count; the digit is dropped as unusable.
    expect(doc.handoff?.queue).toBe('general');
    const r = (await row(t, callSid))!;
    expect(r.step).toBe(2);
    const input = JSON.parse(r.inputs)[0] as Record<string, unknown>;
    expect(input).toMatchObject({ event: 'AGENT', speech: '转人工\uFFFD\uFFFD\uFFFD' });
    expect(input).not.toHaveProperty('digits');
  });

  it('speech that is only broken bytes counts as no answer', async () => {
    const { callSid } = await dial(t);
    const head = new URLSearchParams(callParams(t, callSid) as Record<string, string>).toString();
    const raw = Buffer.concat([Buffer.from(head + '&SpeechResult='), Buffer.from([0xff, 0xfe, 0xc3])]);
    const doc = twimlOf(await signedPost(t, '/twilio/voice?step=1', callParams(t, callSid, { SpeechResult: '\uFFFD\uFFFD\uFFFD' }), raw));
    expect(doc.gather).toBeDefined();
    expect(doc.heard.join()).toContain('没有听到');
    expect(JSON.parse((await row(t, callSid))!.inputs)[0]).toMatchObject({ event: 'NO_INPUT' });
  });

  it('a body in an unsupported charset still gets the apology TwiML and creates nothing', async () => {
    const sid = newSid();
    const res = await signedPost(t, '/twilio/voice', callParams(t, sid), undefined, 'application/x-www-form-urlencoded; charset=utf-16');
    expectApology(res, t);
    expect(await row(t, sid)).toBeUndefined();
  });

  it('a repeated parameter (Digits=1&Digits=2) is read as its first value', async () => {
    const { callSid } = await dial(t);
    const doc = twimlOf(await answer(t, callSid, 1, { Digits: ['1', '2'] }));
    expect(doc.heard[0]).toContain(POLICY_ZH);
    const r = (await row(t, callSid))!;
    expect(r).toMatchObject({ step: 2, state: 'policy' });
    expect(JSON.parse(r.inputs)[0]).toMatchObject({ digits: '1', event: 'POLICY' });
  });

  it('a repeated CallSid is read as its first value and does not touch the second call', async () => {
    const a = await dial(t);
    const b = await dial(t);
    twimlOf(await answer(t, a.callSid, 1, { CallSid: [a.callSid, b.callSid], Digits: '2' }));
    expect(await row(t, a.callSid)).toMatchObject({ step: 2, state: 'caseNumber' });
    expect(await row(t, b.callSid)).toMatchObject({ step: 1, state: 'greeting' });
  });

  it('parameters of the wrong type or shape are tolerated', async () => {
    // Letters for Digits: nothing usable was pressed.
    const c1 = await dial(t);
    expect(twimlOf(await answer(t, c1.callSid, 1, { Digits: 'abc' })).heard[0]).toBe('抱歉，没有听到您的声音。');
    expect(await row(t, c1.callSid)).toMatchObject({ step: 2, state: 'greeting' });

    // A non-numeric Confidence is dropped, the speech still counts.
    const c2 = await dial(t);
    expect(twimlOf(await answer(t, c2.callSid, 1, { SpeechResult: '人工', Confidence: 'very sure' })).handoff).toEqual({ queue: 'general' });
    const in2 = JSON.parse((await row(t, c2.callSid))!.inputs)[0] as Record<string, unknown>;
    expect(in2).toMatchObject({ event: 'AGENT', speech: '人工' });
    expect(in2).not.toHaveProperty('confidence');

    // Bracketed names are plain names (no nested objects) and do not count as Digits.
    const c3 = await dial(t);
    expect(twimlOf(await answer(t, c3.callSid, 1, { 'Digits[]': '0', 'Digits[x]': '0', 'CallSid[0]': 'x' })).heard[0]).toBe('抱歉，没有听到您的声音。');
    expect(await row(t, c3.callSid)).toMatchObject({ step: 2, state: 'greeting', handoff_target: null });

    // A repeated step token in the query is not a token at all: the call is not advanced.
    const c4 = await dial(t);
    const doc4 = twimlOf(await signedPost(t, '/twilio/voice?step=1&step=1', callParams(t, c4.callSid, { Digits: '0' })));
    expect(doc4.handoff).toBeUndefined();
    expect(await row(t, c4.callSid)).toMatchObject({ step: 1, handoff_target: null });

    // A flow that does not exist: apology and queue, no record.
    const sid = newSid();
    expectApology(await signedPost(t, '/twilio/voice?flow=no-such-flow', callParams(t, sid)), t);
    expect(await row(t, sid)).toBeUndefined();
  });

  it('/twilio/voice/fallback answers the apology and the queue, in the call language when known', async () => {
    const unknown = await signedPost(t, '/twilio/voice/fallback', callParams(t, newSid(), { ErrorCode: '11200', ErrorUrl: `${t.url}/twilio/voice` }));
    expectApology(unknown, t);

    const { callSid } = await dial(t);
    twimlOf(await answer(t, callSid, 1, { Digits: '9' })); // switch to English
    expect(await row(t, callSid)).toMatchObject({ lang: 'en-US' });
    const res = await signedPost(t, '/twilio/voice/fallback', callParams(t, callSid, { ErrorCode: '12100', ErrorUrl: `${t.url}/twilio/voice?step=2` }));
    expectApology(res, t, ['en-US']);
    expect(res.body).toContain(`waitUrl="${t.url}/twilio/voice/wait?lang=en-US"`);
    expect(t.logs.some((l) => l.msg === 'Twilio used the fallback URL' && l.callSid === callSid && l.errorCode === '12100' && l.level === 40)).toBe(true);
  });

  it('/twilio/voice/wait tells the caller the queue position, then pauses', async () => {
    const wait = async (q: string, QueuePosition?: string) => {
      const res = await signedPost(t, `/twilio/voice/wait${q}`, callParams(t, newSid(), QueuePosition === undefined ? {} : { QueuePosition, QueueSid: 'QU' + '1'.repeat(32) }));
      expect(verbs(res.body)).toEqual(['Say', 'Pause']);
      return twimlOf(res).heard;
    };
    expect(await wait('', '4')).toEqual(['您前面还有3位来电，请稍候，人工客服将尽快为您服务。']);
    expect(await wait('?lang=en-US', '3')).toEqual(['There are 2 callers ahead of you. Please hold; an agent will be with you shortly.']);
    expect(await wait('?lang=en-US', '1')).toEqual(['You are next in line. An agent will be with you shortly.']);
    expect(await wait('?lang=zh-CN', '1')).toEqual(['您是下一位，人工客服马上为您服务，请稍候。']);
    // Missing, nonsense or negative positions and unknown languages fall back sensibly.
    expect(await wait('?lang=fr-FR')).toEqual(['您是下一位，人工客服马上为您服务，请稍候。']);
    expect(await wait('?lang=en-US', '-5')).toEqual(['You are next in line. An agent will be with you shortly.']);
    expect(await wait('?lang=en-US', 'lots')).toEqual(['You are next in line. An agent will be with you shortly.']);
  });
});

describe('voice webhooks when the store fails mid-call', () => {
  it('dropping the calls table: the caller still gets the apology and the queue, and an error (level 50) is logged', async () => {
    const t = await startHotline();
    try {
      const { callSid } = await dial(t);
      await t.hotline.store.db.schema.dropTable('calls').execute();
      expectApology(await answer(t, callSid, 1, { Digits: '1' }), t);
      // A new call while the store is broken gets the same.
      expectApology(await signedPost(t, '/twilio/voice', callParams(t, newSid(), { CallStatus: 'ringing' })), t);
      // So do the status callback and after-dial: TwiML, never a 5xx.
      const status = await signedPost(t, '/twilio/voice/status', callParams(t, callSid, { CallStatus: 'completed', CallDuration: '5' }));
      expect(status.status).toBe(200);
      verbs(status.body);
      const errors = t.logs.filter((l) => l.level === 50 && l.msg === 'voice webhook failed; caller sent to a human');
      expect(errors.length).toBeGreaterThanOrEqual(3);
      expect(errors[0]).toMatchObject({ route: 'voice', callSid });
      // SQLite: "no such table: calls"; PostgreSQL: 'relation "calls" does not exist'.
      expect(JSON.stringify(errors[0]!.err)).toMatch(/no such table|relation .*calls.* does not exist/);
      expect(await metricsText(t)).toMatch(/^hotline_webhook_errors_total\{route="voice"\} 2$/m);
    } finally {
      await t.close();
    }
  });

  it('a destroyed database connection: the caller still gets the apology and the queue, and an error is logged', async () => {
    const t = await startHotline();
    try {
      const { callSid } = await dial(t);
      await t.hotline.store.db.destroy();
      expectApology(await answer(t, callSid, 1, { Digits: '1' }), t);
      expect(t.logs.some((l) => l.level === 50 && l.msg === 'voice webhook failed; caller sent to a human' && l.callSid === callSid)).toBe(true);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});

describe('status callbacks, outcomes, metrics and logs', () => {
  let t: TestHotline;
  const CALLER = '+8613812345678';
  beforeAll(async () => {
    t = await startHotline();
  });
  afterAll(async () => t.close());

  it('completed after a hand-off records handed_off, the duration and the end time, once', async () => {
    const { callSid } = await dial(t, newSid(), CALLER);
    const doc = twimlOf(await answer(t, callSid, 1, { Digits: '0', From: CALLER }));
    expect(doc.handoff).toEqual({ queue: 'general' });
    const handed = (await row(t, callSid))!;
    expect(handed.handed_off_at).not.toBeNull();

    const cb = callParams(t, callSid, { CallStatus: 'completed', CallDuration: '73', From: CALLER });
    const first = await signedPost(t, '/twilio/voice/status', cb);
    expect(verbs(first.body)).toEqual([]);
    const ended = (await row(t, callSid))!;
    expect(ended).toMatchObject({ status: 'ended', outcome: 'handed_off', duration_s: 73, twilio_status: 'completed' });
    expect(ended.ended_at).not.toBeNull();
    expect(Date.parse(ended.ended_at!)).toBeGreaterThanOrEqual(Date.parse(handed.started_at));

    // Twilio repeats the callback (and a late one with other values): nothing changes, nothing is counted twice.
    const again = await signedPost(t, '/twilio/voice/status', cb);
    expect(again.status).toBe(200);
    await signedPost(t, '/twilio/voice/status', { ...cb, CallStatus: 'failed', CallDuration: '1' });
    expect(await row(t, callSid)).toEqual(ended);
    const metrics = await metricsText(t);
    expect(metrics).toMatch(/^hotline_calls_total\{channel="voice",outcome="handed_off"\} 1$/m);
    expect(metrics).not.toMatch(/outcome="failed"/);
    expect(t.logs.filter((l) => l.msg === 'call ended' && l.callSid === callSid)).toHaveLength(1);
  });

  it('a call hung up in the menu is recorded as abandoned', async () => {
    const { callSid } = await dial(t);
    twimlOf(await answer(t, callSid, 1, { Digits: '1' })); // into the policy menu
    // Non-terminal statuses do not end the call.
    await signedPost(t, '/twilio/voice/status', callParams(t, callSid, { CallStatus: 'in-progress' }));
    expect(await row(t, callSid)).toMatchObject({ status: 'active', outcome: null });
    const res = await signedPost(t, '/twilio/voice/status', callParams(t, callSid, { CallStatus: 'completed', CallDuration: '9' }));
    expect(res.status).toBe(200);
    expect(await row(t, callSid)).toMatchObject({ status: 'ended', outcome: 'abandoned', duration_s: 9, state: 'policy' });
    // After the end, a late answer to the menu gets the last response and does not reopen the call.
    twimlOf(await answer(t, callSid, 2, { Digits: '0' }));
    expect(await row(t, callSid)).toMatchObject({ status: 'ended', outcome: 'abandoned', step: 2, handoff_target: null });
    expect(await metricsText(t)).toMatch(/^hotline_calls_total\{channel="voice",outcome="abandoned"\} 1$/m);
  });

  it('a caller who hangs up after hearing an answer was answered by the menu', async () => {
    const { callSid } = await dial(t);
    twimlOf(await answer(t, callSid, 1, { Digits: '1' })); // the policy menu
    twimlOf(await answer(t, callSid, 2, { SpeechResult: '社保卡丢了怎么办', Confidence: '0.9' }));
    expect(await row(t, callSid)).toMatchObject({ status: 'active', state: 'answer' });
    await signedPost(t, '/twilio/voice/status', callParams(t, callSid, { CallStatus: 'completed', CallDuration: '40' }));
    expect(await row(t, callSid)).toMatchObject({ status: 'ended', outcome: 'answered_in_menu', state: 'answer' });
  });

  it('a call that never got answered (no-answer) is recorded as failed; an unknown CallSid is ignored', async () => {
    const { callSid } = await dial(t);
    await signedPost(t, '/twilio/voice/status', callParams(t, callSid, { CallStatus: 'no-answer', CallDuration: 'abc' }));
    expect(await row(t, callSid)).toMatchObject({ status: 'ended', outcome: 'failed', duration_s: null });
    const unknown = await signedPost(t, '/twilio/voice/status', callParams(t, newSid(), { CallStatus: 'completed' }));
    expect(unknown.status).toBe(200);
    expect(verbs(unknown.body)).toEqual([]);
  });

  it("logs never contain the caller's full number, but do contain it masked to the last 4 digits", async () => {
    // Make sure the number has been through every logging path used above.
    expect(t.logs.some((l) => l.msg === 'call started')).toBe(true);
    const all = t.rawLogs.join('\n');
    expect(all).not.toContain('8613812345678');
    expect(all).not.toContain('13812345678');
    expect(all).not.toContain('3812345678');
    const started = t.logs.filter((l) => l.msg === 'call started' && typeof l.from === 'string' && (l.from as string).endsWith('5678'));
    expect(started).toHaveLength(1);
    expect(started[0]!.from).toBe('+861******5678');
  });
});
