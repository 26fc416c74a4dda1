import fc from 'fast-check';
import twilio from 'twilio';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

/**
 * Property: whatever a correctly signed request to /twilio/voice carries, the server answers
 * 200 with a TwiML document made only of Twilio verbs that leaves the caller somewhere
 * (listening, queued, dialled or hung up), and every call record stays consistent.
 */

const NUM_RUNS = 3000;

/** CallSids shared by the runs, so many requests hit calls that exist and have moved on. */
const POOL = Array.from({ length: 6 }, (_, i) => `CA${String(i + 1).repeat(32)}`);

const VERBS = new Set(['Say', 'Play', 'Pause', 'Gather', 'Redirect', 'Enqueue', 'Dial', 'Hangup', 'Leave', 'Reject', 'Record', 'Refer', 'Connect', 'Start', 'Stop', 'Pay', 'Sms']);
const NESTED: Record<string, Set<string>> = {
  Gather: new Set(['Say', 'Play', 'Pause']),
  Start: new Set(['Transcription', 'Stream', 'Siprec']),
  Dial: new Set(['Number', 'Client', 'Queue', 'Sip', 'Conference', 'Sim', 'Application']),
};
/** Verbs after which Twilio does not hang up on the caller by itself. */
const KEEPS_CALLER = ['Gather', 'Enqueue', 'Dial', 'Hangup', 'Redirect'];

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseTagValue: false });
type XNode = Record<string, unknown> & { ':@'?: Record<string, string> };
const nameOf = (n: XNode) => Object.keys(n).find((k) => k !== ':@')!;
const textOf = (kids: unknown) => ((kids as XNode[]) ?? []).map((k) => String(k['#text'] ?? '')).join('');

/** Replace lone surrogates with U+FFFD, as the UTF-8 encoder on the wire does, so we sign what the server reads. */
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');

/** Checks one answer and returns a description of what is wrong, or undefined. */
function checkTwiml(body: string, publicUrl: string): string | undefined {
  if (XMLValidator.validate(body) !== true) return 'not well-formed XML';
  const roots = (parser.parse(body) as XNode[]).filter((n) => !('?xml' in n));
  if (roots.length !== 1 || nameOf(roots[0]!) !== 'Response') return `root is not a single <Response>: ${roots.map(nameOf).join(',')}`;
  const verbs = (roots[0]!.Response as XNode[]) ?? [];
  const names = verbs.map(nameOf);
  for (const v of verbs) {
    const name = nameOf(v);
    if (!VERBS.has(name)) return `unknown verb <${name}>`;
    const kids = (v[name] as XNode[]) ?? [];
    for (const k of kids) {
      const kn = nameOf(k);
      if (kn === '#text') continue;
      if (!NESTED[name]?.has(kn)) return `<${kn}> is not allowed inside <${name}>`;
    }
    const attrs = v[':@'] ?? {};
    for (const a of ['action', 'waitUrl']) if (attrs[a] !== undefined && !attrs[a].startsWith(publicUrl + '/twilio/voice')) return `${name}@${a} points elsewhere: ${attrs[a]}`;
    if (name === 'Redirect' && !textOf(kids).startsWith(publicUrl + '/twilio/voice')) return `Redirect points elsewhere: ${textOf(kids)}`;
    if (name === 'Enqueue' && !textOf(kids).trim()) return 'Enqueue without a queue';
    if (name === 'Gather') {
      if (!/\/twilio\/voice\?step=\d+$/.test(attrs.action ?? '')) return `Gather action without a step token: ${attrs.action}`;
      // The silence fall-through must reach the same step.
      const redirect = verbs[verbs.indexOf(v) + 1];
      if (!redirect || nameOf(redirect) !== 'Redirect' || textOf(redirect.Redirect) !== attrs.action) return 'Gather not followed by a Redirect to its action';
    }
  }
  if (!names.some((n) => KEEPS_CALLER.includes(n))) return `the caller is left in silence: [${names.join(',')}]`;
  return undefined;
}

// ---- arbitraries ------------------------------------------------------------------------

const text = (maxLength: number) => fc.oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme-ascii', maxLength }));
const answers = fc.constantFrom('', ' ', '0', '1', '2', '3', '9', '*', '#', '12345#', '人工', 'agent', '政策', '查询进度', '投诉', 'english', '中文', '返回', '按一', 'seven', '社保卡丢了怎么办', '１２３', '%FF%FE', '\uFFFD');
const huge = fc.tuple(fc.integer({ min: 2_000, max: 80_000 }), fc.constantFrom('a', '人', '😀', '1', '%')).map(([n, c]) => c.repeat(Math.ceil(n / c.length)));
const value = fc.oneof({ weight: 6, arbitrary: answers }, { weight: 6, arbitrary: text(60) }, { weight: 1, arbitrary: huge });

const callSid = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...POOL) },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: text(70) },
  { weight: 1, arbitrary: fc.stringMatching(/^CA[0-9a-f]{32}$/) },
);

/** '@current' means "the step the call is waiting for", looked up when the request is made. */
const step = fc.oneof(
  { weight: 6, arbitrary: fc.constant('@current') },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 15 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', '-1', '1e3', '01', ' 2', '99999999999', '1.5', 'NaN', '０') },
  { weight: 1, arbitrary: text(12) },
);

const TWILIO_NAMES = ['Digits', 'SpeechResult', 'Confidence', 'CallStatus', 'From', 'To', 'Direction', 'ApiVersion', 'AccountSid', 'Caller', 'Called', 'FromCity', 'StableSpeechResult', 'UnstableSpeechResult', 'QueuePosition', 'ErrorCode', 'msg'];
const extraName = fc.oneof(fc.constantFrom(...TWILIO_NAMES), text(20), fc.constantFrom('Digits[]', 'a[b][c]', 'constructor', 'toString', 'hasOwnProperty', 'utf8', '_charset_', 'step', 'Step'));

const queryPart = fc.tuple(fc.oneof(fc.constantFrom('flow', 'lang', 'step', 'sid', 'x'), text(10)), fc.oneof(fc.constantFrom('main', 'sms', 'nope', 'en-US', '', '1'), text(20)));

const request = fc.record({
  callSid,
  step,
  flow: fc.option(fc.constantFrom('main', 'sms', 'nope', '', '__proto__'), { nil: undefined }),
  query: fc.array(queryPart, { maxLength: 3 }),
  digits: fc.option(fc.oneof(value, fc.array(answers, { minLength: 2, maxLength: 3 })), { nil: undefined }),
  speech: fc.option(value, { nil: undefined }),
  confidence: fc.option(fc.oneof(fc.constantFrom('0.9', '0', '1', '-3', 'NaN', 'abc', '1e309'), text(8)), { nil: undefined }),
  extra: fc.dictionary(extraName, value, { maxKeys: 6 }),
  manyParams: fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 150, max: 260 }) }),
});

type Req = typeof request extends fc.Arbitrary<infer R> ? R : never;

describe('fuzzing /twilio/voice with signed random webhooks', () => {
  let t: TestHotline;
  const seen = { status: new Map<number, number>(), verbs: new Map<string, number>(), poolHits: 0, advanced: 0 };

  beforeAll(async () => {
    t = await startHotline({ LOG_LEVEL: 'warn' });
  });
  afterAll(async () => t.close());

  async function currentStep(sid: string): Promise<number | undefined> {
    const r = await t.hotline.store.db.selectFrom('calls').select('step').where('call_sid', '=', sid).executeTakeFirst();
    return r?.step;
  }

  /** Build the body and URL exactly as they go on the wire, sign them, send them. */
  async function send(req: Req) {
    const params: Record<string, string | string[]> = {};
    const set = (k: string, v: string | string[]) => {
      const key = wellFormed(k);
      // Names that the form parser drops could not have been signed by Twilio either.
      if (key === '' || key === '__proto__') return;
      params[key] = Array.isArray(v) ? v.map(wellFormed) : wellFormed(v);
    };
    for (const [k, v] of Object.entries(req.extra)) set(k, v);
    for (let i = 0; i < req.manyParams; i++) set(`P${i}`, String(i));
    set('AccountSid', t.config.accountSid);
    if (req.callSid !== undefined) set('CallSid', req.callSid);
    if (req.digits !== undefined) set('Digits', req.digits);
    if (req.speech !== undefined) set('SpeechResult', req.speech);
    if (req.confidence !== undefined) set('Confidence', req.confidence);

    const query: Array<[string, string]> = [];
    if (req.step !== undefined) {
      const sid = typeof params.CallSid === 'string' ? params.CallSid : '';
      query.push(['step', req.step === '@current' ? String((await currentStep(sid)) ?? 1) : req.step]);
    }
    if (req.flow !== undefined) query.push(['flow', req.flow]);
    for (const [k, v] of req.query) query.push([k, v]);
    const qs = query.map(([k, v]) => `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(v))}`).join('&');
    // Sign the path and query as the URL serialiser (and so fetch) will send them.
    const u = new URL(`/twilio/voice${qs ? `?${qs}` : ''}`, t.url);
    const rel = u.href.slice(u.origin.length);

    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    const res = await fetch(t.url + rel, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(t.config.authToken, t.url + rel, params) },
      body: form.toString(),
    });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '', rel };
  }

  it(`${NUM_RUNS} random signed webhooks never get a 5xx and always get well-formed TwiML`, { timeout: 120_000 }, async () => {
    // XState warns on the console when an answer reaches a call whose machine already finished
    // (a hand-off); collect those instead of flooding the output, and allow nothing else.
    const warnings: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void warnings.push('console.error: ' + args.map(String).join(' ')));
    try {
      await runProperty();
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
    for (const w of warnings) expect(w).toMatch(/^Event "\w+" was sent to stopped actor/);

    // The generator really exercised the interesting parts.
    expect(seen.status.get(200)).toBe(NUM_RUNS);
    expect(seen.poolHits).toBeGreaterThan(NUM_RUNS / 3);
    expect(seen.advanced).toBeGreaterThan(NUM_RUNS / 20);
    for (const v of ['Gather', 'Enqueue', 'Redirect', 'Say']) expect(seen.verbs.get(v) ?? 0, v).toBeGreaterThan(10);
    // Failures caught inside were logged as such, and nothing else was logged as an error.
    const crashes = t.logs.filter((l) => Number(l.level) >= 50);
    for (const c of crashes) expect(String(c.msg)).toBe('voice webhook failed; caller sent to a human');
  });

  async function runProperty() {
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const sid = typeof req.callSid === 'string' ? wellFormed(req.callSid) : undefined;
        const pooled = sid !== undefined && POOL.includes(sid);
        const before = pooled ? await t.hotline.store.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirst() : undefined;

        const res = await send(req);
        seen.status.set(res.status, (seen.status.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`HTTP ${res.status} for ${res.rel}: ${res.body.slice(0, 200)}`);
        // Every request here is correctly signed, so anything but 200 is a failure too.
        if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${res.rel}: ${res.body.slice(0, 200)}`);
        if (!res.type.includes('text/xml')) throw new Error(`content-type ${res.type}`);
        const problem = checkTwiml(res.body, t.url);
        if (problem) throw new Error(`${problem}\n${res.body.slice(0, 500)}`);
        for (const m of res.body.matchAll(/<(\w+)/g)) seen.verbs.set(m[1]!, (seen.verbs.get(m[1]!) ?? 0) + 1);

        if (pooled) {
          seen.poolHits++;
          const after = await t.hotline.store.db.selectFrom('calls').selectAll().where('call_sid', '=', sid).executeTakeFirst();
          if (after) {
            // The step counter and the recorded inputs move together, one per applied answer.
            const inputs = JSON.parse(after.inputs) as unknown[];
            if (after.step !== after.last_step + 1) throw new Error(`step ${after.step} / last_step ${after.last_step}`);
            if (inputs.length !== after.last_step) throw new Error(`${inputs.length} inputs after ${after.last_step} steps`);
            // One request moves a call by at most one step.
            const moved = after.step - (before?.step ?? after.step);
            if (moved < 0 || moved > 1) throw new Error(`call moved ${moved} steps in one request`);
            if (moved === 1) seen.advanced++;
            if (before && moved === 0 && after.snapshot !== before.snapshot) throw new Error('snapshot changed without a step');
            const path = JSON.parse(after.path) as string[];
            // The path starts at the flow's initial state and grows, never shrinks.
            const initial = after.flow_id === 'sms' ? 'menu' : 'greeting';
            if (path[0] !== initial) throw new Error(`odd path ${after.path} for flow ${after.flow_id}`);
            if (before && path.length < (JSON.parse(before.path) as string[]).length) throw new Error('path shrank');
            // A call handed off or hung up answers nothing more; recycle its CallSid so the pool keeps moving.
            if ((JSON.parse(after.snapshot) as { status?: string }).status === 'done') {
              await t.hotline.store.db.deleteFrom('calls').where('call_sid', '=', sid).execute();
            }
          }
        }
      }),
      { numRuns: NUM_RUNS, endOnFailure: true },
    );
  }
});
