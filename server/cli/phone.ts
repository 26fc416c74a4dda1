import twilio from 'twilio';
import { XMLParser } from 'fast-xml-parser';

/** What the caller experienced after one request: what was heard and what happens next. */
export interface Heard {
  heard: string[];
  /** Waiting at a `<Gather>`: where the answer goes. */
  gather?: { action: string; input: string[]; numDigits?: number; language?: string };
  handoff?: { queue?: string; agent?: string };
  hungUp: boolean;
  status: number;
}

export interface PhoneOptions {
  /** Where requests are sent (the server). */
  baseUrl: string;
  /** The public URL the server validates signatures against (PUBLIC_URL). */
  publicUrl?: string;
  authToken: string;
  accountSid?: string;
  from?: string;
  to?: string;
  callSid?: string;
  fetchImpl?: typeof fetch;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  textNodeName: '#text',
  parseTagValue: false,
  trimValues: true,
});

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

function textOf(children: unknown): string {
  return ((children as Node[]) ?? []).map((c) => String(c['#text'] ?? '')).join('');
}

/** Parse a TwiML document into the parts a caller would notice; throws if it is not TwiML. */
export function readTwiml(xml: string): Omit<Heard, 'status'> & { redirect?: string } {
  const doc = parser.parse(xml) as Node[];
  const response = doc.find((n) => 'Response' in n);
  if (!response) throw new Error(`not a TwiML document: ${xml.slice(0, 200)}`);
  const out: Omit<Heard, 'status'> & { redirect?: string } = { heard: [], hungUp: false };
  for (const verb of response.Response as Node[]) {
    const name = Object.keys(verb).find((k) => k !== ':@')!;
    const attrs = verb[':@'] ?? {};
    const kids = verb[name] as Node[];
    if (name === 'Say') out.heard.push(textOf(kids));
    else if (name === 'Gather') {
      for (const k of kids) if ('Say' in k) out.heard.push(textOf(k.Say));
      out.gather = {
        action: attrs.action ?? '',
        input: (attrs.input ?? 'dtmf').split(' '),
        numDigits: attrs.numDigits ? Number(attrs.numDigits) : undefined,
        language: attrs.language,
      };
    } else if (name === 'Redirect') out.redirect ??= textOf(kids);
    else if (name === 'Enqueue') out.handoff = { queue: textOf(kids) };
    else if (name === 'Dial') out.handoff = { agent: textOf((kids.find((k) => 'Client' in k)?.Client as Node[]) ?? []) };
    else if (name === 'Hangup') out.hungUp = true;
  }
  return out;
}

/**
 * Plays Twilio against a running server: signed webhooks, follows `<Gather>` actions and
 * `<Redirect>`s. Used by `npx hotline simulate` and by the scripted-call tests.
 */
export class TwilioPhone {
  readonly callSid: string;
  /** The raw TwiML of the last answer, for tests that compare replays byte for byte. */
  lastBody = '';
  private last?: Omit<Heard, 'status'> & { redirect?: string };
  private readonly o: Required<Omit<PhoneOptions, 'fetchImpl' | 'callSid'>> & { fetchImpl: typeof fetch };

  constructor(opts: PhoneOptions) {
    this.callSid = opts.callSid ?? 'CA' + Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
    this.o = {
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      publicUrl: (opts.publicUrl ?? opts.baseUrl).replace(/\/+$/, ''),
      authToken: opts.authToken,
      accountSid: opts.accountSid ?? 'AC' + '0'.repeat(32),
      from: opts.from ?? '+8613800138000',
      to: opts.to ?? '+8612345',
      fetchImpl: opts.fetchImpl ?? fetch,
    };
  }

  /** Send one signed form POST, as Twilio does. `pathAndQuery` may also be an absolute public URL. */
  async post(pathAndQuery: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
    const rel = pathAndQuery.startsWith(this.o.publicUrl) ? pathAndQuery.slice(this.o.publicUrl.length) : pathAndQuery;
    const signedUrl = this.o.publicUrl + rel;
    const signature = twilio.getExpectedTwilioSignature(this.o.authToken, signedUrl, params);
    const res = await this.o.fetchImpl(this.o.baseUrl + rel, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: await res.text() };
  }

  private base(): Record<string, string> {
    return { CallSid: this.callSid, AccountSid: this.o.accountSid, From: this.o.from, To: this.o.to, Direction: 'inbound', CallStatus: 'in-progress', ApiVersion: '2010-04-01' };
  }

  private async exchange(url: string, extra: Record<string, string>): Promise<Heard> {
    const heard: string[] = [];
    let target = url;
    let params = { ...this.base(), ...extra };
    for (let hops = 0; hops < 10; hops++) {
      const { status, body } = await this.post(target, params);
      if (status !== 200) return { heard, hungUp: true, status };
      this.lastBody = body;
      const doc = readTwiml(body);
      heard.push(...doc.heard);
      this.last = doc;
      // A Redirect with nothing to wait for is followed at once, as Twilio does.
      if (!doc.gather && !doc.handoff && !doc.hungUp && doc.redirect) {
        target = doc.redirect;
        params = this.base();
        continue;
      }
      return { heard, gather: doc.gather, handoff: doc.handoff, hungUp: doc.hungUp, status };
    }
    throw new Error('more than 10 redirects in a row');
  }

  dial(flow?: string): Promise<Heard> {
    return this.exchange(`/twilio/voice${flow ? `?flow=${encodeURIComponent(flow)}` : ''}`, { CallStatus: 'ringing' });
  }

  /** An outbound call (calls.create) is answered: Twilio fetches the URL it was given, absolute or relative. */
  pickUp(url: string): Promise<Heard> {
    return this.exchange(url, { Direction: 'outbound-api', CallStatus: 'in-progress' });
  }

  private action(): string {
    if (!this.last?.gather) throw new Error('the call is not waiting for input');
    return this.last.gather.action;
  }

  press(digits: string): Promise<Heard> {
    return this.exchange(this.action(), { Digits: digits });
  }

  say(text: string, confidence = 0.92): Promise<Heard> {
    return this.exchange(this.action(), { SpeechResult: text, Confidence: String(confidence) });
  }

  /** The caller says nothing until the Gather times out. */
  silence(): Promise<Heard> {
    return this.exchange(this.action(), {});
  }

  /** Twilio's status callback at the end of the call. */
  async hangup(durationS = 30, status = 'completed'): Promise<number> {
    const res = await this.post('/twilio/voice/status', { ...this.base(), CallStatus: status, CallDuration: String(durationS) });
    return res.status;
  }
}
