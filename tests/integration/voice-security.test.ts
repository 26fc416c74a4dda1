import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTwiml } from '../../server/cli/phone.ts';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

/**
 * Twilio signs `PUBLIC_URL + path + query` plus the sorted form parameters. Here the server
 * is configured with a public URL that is not the address it listens on (as behind a proxy),
 * so a signature over the internal address must be refused.
 */
const PUBLIC_URL = 'https://hotline.example.gov';

type Params = Record<string, string>;

let seq = 0;
const newSid = (prefix = 'CA') => prefix + (Date.now().toString(16) + (seq++).toString(16)).padStart(32, '0');

describe('Twilio webhook signatures, over real HTTP with PUBLIC_URL behind a proxy', () => {
  let t: TestHotline;
  let local: string;
  let token: string;

  beforeAll(async () => {
    t = await startHotline({ PUBLIC_URL });
    local = `http://127.0.0.1:${t.config.port}`;
    token = t.config.authToken;
  });
  afterAll(async () => t.close());

  const sign = (url: string, params: Params, authToken = token) => twilio.getExpectedTwilioSignature(authToken, url, params);

  /** POST a form to the local port with whatever signature header the test chooses. */
  async function post(pathAndQuery: string, params: Params, signature: string | undefined, body = new URLSearchParams(params).toString()) {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (signature !== undefined) headers['x-twilio-signature'] = signature;
    const res = await fetch(local + pathAndQuery, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  const callParams = (callSid: string, extra: Params = {}): Params => ({
    CallSid: callSid,
    AccountSid: t.config.accountSid,
    From: '+8613800138000',
    To: '+8612345',
    Direction: 'inbound',
    CallStatus: 'ringing',
    ApiVersion: '2010-04-01',
    ...extra,
  });

  const callRows = (callSid?: string) => {
    let q = t.hotline.store.db.selectFrom('calls').selectAll();
    if (callSid) q = q.where('call_sid', '=', callSid);
    return q.execute();
  };

  async function expectRejectedWithoutWrites(res: { status: number; body: string }, callSid: string) {
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('<Response');
    expect(await callRows(callSid)).toEqual([]);
  }

  it('a request signed for PUBLIC_URL + path + query is accepted and starts the call', async () => {
    const sid = newSid();
    const params = callParams(sid);
    const res = await post('/twilio/voice?flow=main', params, sign(`${PUBLIC_URL}/twilio/voice?flow=main`, params));
    expect(res.status).toBe(200);
    const doc = readTwiml(res.body);
    expect(doc.gather?.action).toBe(`${PUBLIC_URL}/twilio/voice?step=1`);
    const rows = await callRows(sid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ flow_id: 'main', step: 1, status: 'active' });
  });

  it('TwilioPhone configured with the public URL completes a call through the proxy address', async () => {
    const phone = t.phone({ baseUrl: local, publicUrl: PUBLIC_URL });
    const first = await phone.dial();
    expect(first.status).toBe(200);
    const next = await phone.press('0');
    expect(next.status).toBe(200);
    expect(next.handoff).toEqual({ queue: 'general' });
    const [row] = await callRows(phone.callSid);
    expect(row).toMatchObject({ step: 2, handoff_target: 'queue:general' });
  });

  it('a missing X-Twilio-Signature is refused with 403 and writes nothing', async () => {
    const sid = newSid();
    await expectRejectedWithoutWrites(await post('/twilio/voice', callParams(sid), undefined), sid);
  });

  it('an empty X-Twilio-Signature is refused with 403', async () => {
    const sid = newSid();
    await expectRejectedWithoutWrites(await post('/twilio/voice', callParams(sid), ''), sid);
  });

  it('a wrong signature is refused with 403 and writes nothing', async () => {
    const sid = newSid();
    const params = callParams(sid);
    await expectRejectedWithoutWrites(await post('/twilio/voice', params, 'bm90IGEgcmVhbCBzaWduYXR1cmU='), sid);
    // A well-formed signature made with another account's auth token.
    await expectRejectedWithoutWrites(await post('/twilio/voice', params, sign(`${PUBLIC_URL}/twilio/voice`, params, 'another-auth-token-fedcba9876543210')), sid);
  });

  it('a signature over the internal URL (not PUBLIC_URL) is refused, though the same request signed for PUBLIC_URL works', async () => {
    const sid = newSid();
    const params = callParams(sid);
    await expectRejectedWithoutWrites(await post('/twilio/voice', params, sign(`${local}/twilio/voice`, params)), sid);
    // A client that signs for the address it talks to (the default TwilioPhone) is refused too.
    const internal = t.phone({ baseUrl: local, callSid: newSid() });
    expect((await internal.dial()).status).toBe(403);
    expect(await callRows(internal.callSid)).toEqual([]);

    const ok = await post('/twilio/voice', params, sign(`${PUBLIC_URL}/twilio/voice`, params));
    expect(ok.status).toBe(200);
    expect(await callRows(sid)).toHaveLength(1);
  });

  it('the query string is part of what is signed: a signature without it, or for another query, is refused', async () => {
    const sid = newSid();
    const params = callParams(sid);
    await expectRejectedWithoutWrites(await post('/twilio/voice?flow=main', params, sign(`${PUBLIC_URL}/twilio/voice`, params)), sid);
    await expectRejectedWithoutWrites(await post('/twilio/voice?flow=main', params, sign(`${PUBLIC_URL}/twilio/voice?flow=sms`, params)), sid);
  });

  it('a signature for another path is refused (an SMS signature replayed on the voice webhook)', async () => {
    const sid = newSid();
    const params = callParams(sid);
    await expectRejectedWithoutWrites(await post('/twilio/voice', params, sign(`${PUBLIC_URL}/twilio/sms`, params)), sid);
  });

  it('a body parameter tampered with after signing is refused and the call does not advance', async () => {
    const phone = t.phone({ baseUrl: local, publicUrl: PUBLIC_URL });
    const first = await phone.dial();
    expect(first.status).toBe(200);
    const before = (await callRows(phone.callSid))[0]!;
    expect(before.step).toBe(1);

    const signedParams = callParams(phone.callSid, { CallStatus: 'in-progress', Digits: '1' });
    const signature = sign(`${PUBLIC_URL}/twilio/voice?step=1`, signedParams);
    // Digits changed from 1 to 0 (the route to a human) after signing.
    const tampered = { ...signedParams, Digits: '0' };
    const res = await post('/twilio/voice?step=1', tampered, signature);
    expect(res.status).toBe(403);
    // A parameter added after signing.
    const added = await post('/twilio/voice?step=1', { ...signedParams, SpeechResult: '人工' }, signature);
    expect(added.status).toBe(403);
    // A parameter removed after signing.
    const { Digits: _d, ...removed } = signedParams;
    expect((await post('/twilio/voice?step=1', removed, signature)).status).toBe(403);

    const after = (await callRows(phone.callSid))[0]!;
    expect(after).toMatchObject({ step: 1, last_step: 0, state: before.state, inputs: '[]', handoff_target: null });
    // The untouched request with the same signature is accepted and advances once.
    const good = await post('/twilio/voice?step=1', signedParams, signature);
    expect(good.status).toBe(200);
    expect((await callRows(phone.callSid))[0]).toMatchObject({ step: 2, state: 'policy' });
  });

  it('a tampered first webhook creates no call', async () => {
    const sid = newSid();
    const params = callParams(sid);
    const signature = sign(`${PUBLIC_URL}/twilio/voice`, params);
    await expectRejectedWithoutWrites(await post('/twilio/voice', { ...params, From: '+8613999999999' }, signature), sid);
  });

  it('/twilio/voice/status rejects unsigned and wrongly signed callbacks and the call stays active', async () => {
    const phone = t.phone({ baseUrl: local, publicUrl: PUBLIC_URL });
    await phone.dial();
    const params = callParams(phone.callSid, { CallStatus: 'completed', CallDuration: '12' });
    expect((await post('/twilio/voice/status', params, undefined)).status).toBe(403);
    expect((await post('/twilio/voice/status', params, sign(`${local}/twilio/voice/status`, params))).status).toBe(403);
    expect((await callRows(phone.callSid))[0]).toMatchObject({ status: 'active', outcome: null, ended_at: null });
    // Signed properly, it closes the call.
    const ok = await post('/twilio/voice/status', params, sign(`${PUBLIC_URL}/twilio/voice/status`, params));
    expect(ok.status).toBe(200);
    expect((await callRows(phone.callSid))[0]).toMatchObject({ status: 'ended', outcome: 'abandoned', duration_s: 12 });
  });

  it('the other voice webhooks (wait, fallback, after-dial) reject unsigned requests', async () => {
    const params = callParams(newSid(), { QueuePosition: '2' });
    for (const p of ['/twilio/voice/wait', '/twilio/voice/fallback', '/twilio/voice/after-dial']) {
      const res = await post(p, params, undefined);
      expect(res.status, p).toBe(403);
      expect(res.body, p).not.toContain('<Response');
    }
  });

  it('/twilio/sms rejects unsigned and wrongly signed texts: no session, no opt-out', async () => {
    const from = '+8613700001111';
    const msg = (Body: string): Params => ({ MessageSid: newSid('SM'), AccountSid: t.config.accountSid, From: from, To: '+8612345', Body, NumMedia: '0' });
    const db = t.hotline.store.db;

    const hello = msg('1');
    expect((await post('/twilio/sms', hello, undefined)).status).toBe(403);
    expect((await post('/twilio/sms', hello, sign(`${local}/twilio/sms`, hello))).status).toBe(403);
    // A forged STOP must not unsubscribe somebody else's number.
    const stop = msg('STOP');
    const forged = await post('/twilio/sms', stop, undefined);
    expect(forged.status).toBe(403);
    expect(forged.body).not.toContain('<Message');
    expect(await db.selectFrom('sms_sessions').selectAll().where('from_number', '=', from).execute()).toEqual([]);
    expect(await db.selectFrom('sms_opt_outs').selectAll().where('phone', '=', from).execute()).toEqual([]);

    // Properly signed, the same text is served.
    const ok = await post('/twilio/sms', hello, sign(`${PUBLIC_URL}/twilio/sms`, hello));
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<Message>');
    expect(await db.selectFrom('sms_sessions').selectAll().where('from_number', '=', from).execute()).toHaveLength(1);
  });

  it('an unsigned request too big or too long to parse cannot start or drive a call', async () => {
    // Such a body is answered by the parse-error handler before the signature can be checked
    // (it needs the parsed parameters); it must still never reach the flow or the store.
    const sid = newSid();
    const huge = callParams(sid, { SpeechResult: 'x'.repeat(70_000) });
    const many: Params = callParams(sid);
    for (let i = 0; i < 250; i++) many[`P${i}`] = String(i);
    for (const params of [huge, many]) {
      const res = await post('/twilio/voice', params, undefined);
      expect([200, 403]).toContain(res.status);
      if (res.status === 200) {
        const doc = readTwiml(res.body);
        expect(doc.gather).toBeUndefined();
        expect(doc.handoff).toEqual({ queue: t.config.humanQueue });
      }
      expect(await callRows(sid)).toEqual([]);
    }
  });

  it('every refusal is logged as a warning and nothing of the rejected requests reaches the calls table', async () => {
    const rejections = t.logs.filter((l) => l.msg === 'rejected webhook with a missing or invalid Twilio signature');
    expect(rejections.length).toBeGreaterThanOrEqual(10);
    for (const l of rejections) expect(l.level).toBe(40);
    // Only the accepted calls exist: 1 + 1 + 1 + 1 + 1 (see the tests above that got a 200).
    const rows = await callRows();
    expect(rows.every((r) => r.from_number !== '+8613999999999')).toBe(true);
    expect(rows).toHaveLength(5);
  });

  it('webhooks are POST only, and an unknown webhook path is 404, both without touching a call', async () => {
    const sid = newSid();
    const get = await fetch(`${local}/twilio/voice?CallSid=${sid}`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const params = callParams(sid);
    const unknown = await post('/twilio/voice/nope', params, sign(`${PUBLIC_URL}/twilio/voice/nope`, params));
    expect(unknown.status).toBe(404);
    expect(await callRows(sid)).toEqual([]);
  });

  it('a signed body we cannot read (compressed, or over 64 KB) is answered with the apology and the queue, and starts nothing', async () => {
    for (const kind of ['gzip', 'large'] as const) {
      const sid = newSid();
      const params = callParams(sid, kind === 'large' ? { SpeechResult: '人'.repeat(30_000) } : {});
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': sign(`${PUBLIC_URL}/twilio/voice`, params),
      };
      if (kind === 'gzip') headers['content-encoding'] = 'gzip';
      const res = await fetch(`${local}/twilio/voice`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      expect(res.status).toBe(200);
      const doc = readTwiml(await res.text());
      expect(doc.gather).toBeUndefined();
      expect(doc.handoff).toEqual({ queue: t.config.humanQueue });
      expect(await callRows(sid)).toEqual([]);
    }
    // The server is still serving normally afterwards.
    const sid = newSid();
    const params = callParams(sid);
    expect((await post('/twilio/voice', params, sign(`${PUBLIC_URL}/twilio/voice`, params))).status).toBe(200);
    expect(await callRows(sid)).toHaveLength(1);
  });
});
