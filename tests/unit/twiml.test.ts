import { describe, it, expect } from 'vitest';
import { XMLParser } from 'fast-xml-parser';
import { renderVoice, renderHold, renderApology, APOLOGY, type VoiceView } from '../../server/voice/twiml.ts';
import { DEFAULT_SPEECH } from '../../server/flows/speech.ts';
import type { z } from 'zod';
import { Gather } from '../../server/flows/schema.ts';

type GatherInput = z.input<typeof Gather>;

/** An element as the tests look at it: name, attributes, children in document order, text. */
interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

function toEl(node: Ordered): El | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text' || name === '?xml') return undefined;
  const kids = (node[name] as Ordered[]) ?? [];
  return {
    name,
    attrs: { ...(node[':@'] ?? {}) },
    children: kids.map(toEl).filter((e): e is El => e !== undefined),
    text: kids.map((k) => (k['#text'] === undefined ? '' : String(k['#text']))).join(''),
  };
}

/** Parse TwiML and return <Response>, checking the document has exactly that root. */
function response(xml: string): El {
  expect(xml.startsWith('<?xml')).toBe(true);
  const roots = (parser.parse(xml) as Ordered[]).map(toEl).filter((e): e is El => e !== undefined);
  expect(roots.map((r) => r.name)).toEqual(['Response']);
  return roots[0]!;
}

const names = (el: El) => el.children.map((c) => c.name);

const zh = DEFAULT_SPEECH['zh-CN'];
const en = DEFAULT_SPEECH['en-US'];

function gatherView(spec: GatherInput, extra: Partial<VoiceView> = {}): VoiceView {
  return {
    speech: zh,
    lang: 'zh-CN',
    say: ['您好，欢迎致电。', '政策咨询请按1。'],
    gather: { spec: Gather.parse(spec), action: 'https://hotline.example/voice/step?call=CA1&step=3', hints: ['政策咨询', '投诉'] },
    ...extra,
  };
}

describe('renderVoice: a state waiting for input', () => {
  const res = response(renderVoice(gatherView({ input: ['dtmf', 'speech'], numDigits: 1, timeout: 6 })));
  const gather = res.children[0]!;

  it('is a Gather followed by a Redirect, nothing else', () => {
    expect(names(res)).toEqual(['Gather', 'Redirect']);
  });

  it('puts the prompts inside the Gather so the caller can barge in, in order', () => {
    expect(names(gather)).toEqual(['Say', 'Say']);
    expect(gather.children.map((s) => s.text)).toEqual(['您好，欢迎致电。', '政策咨询请按1。']);
  });

  it('speaks Mandarin with a cmn-CN voice', () => {
    for (const say of gather.children) {
      expect(say.attrs).toEqual({ voice: 'Google.cmn-CN-Standard-A', language: 'cmn-CN' });
    }
  });

  it('listens for Mandarin as cmn-Hans-CN, with the spec of the state', () => {
    expect(gather.attrs).toMatchObject({
      input: 'dtmf speech',
      action: 'https://hotline.example/voice/step?call=CA1&step=3',
      method: 'POST',
      timeout: '6',
      numDigits: '1',
      language: 'cmn-Hans-CN',
      speechTimeout: 'auto',
      hints: '政策咨询,投诉',
      actionOnEmptyResult: 'true',
    });
    expect(gather.attrs.language).not.toBe('zh-CN');
  });

  it('redirects to the same action when the Gather falls through on silence', () => {
    const redirect = res.children[1]!;
    expect(redirect.attrs).toEqual({ method: 'POST' });
    expect(redirect.text).toBe(gather.attrs.action);
    expect(redirect.children).toEqual([]);
  });

  it('uses the English voice and recognition for an English caller', () => {
    const r = response(renderVoice(gatherView({ timeout: 8 }, { speech: en, lang: 'en-US', say: ['Welcome.'] })));
    const g = r.children[0]!;
    expect(g.attrs).toMatchObject({ language: 'en-US', timeout: '8' });
    expect(g.children[0]!.attrs).toEqual({ voice: 'Polly.Joanna-Neural', language: 'en-US' });
  });

  it('leaves out speech attributes for a keypad-only state and passes finishOnKey', () => {
    const r = response(renderVoice(gatherView({ input: ['dtmf'], finishOnKey: '#', timeout: 10 })));
    const g = r.children[0]!;
    expect(names(r)).toEqual(['Gather', 'Redirect']);
    expect(g.attrs).toMatchObject({ input: 'dtmf', finishOnKey: '#', timeout: '10' });
    expect(g.attrs).not.toHaveProperty('language');
    expect(g.attrs).not.toHaveProperty('speechTimeout');
    expect(g.attrs).not.toHaveProperty('hints');
    expect(g.attrs).not.toHaveProperty('numDigits');
  });

  it('passes a numeric speechTimeout through', () => {
    const g = response(renderVoice(gatherView({ speechTimeout: 3 }))).children[0]!;
    expect(g.attrs.speechTimeout).toBe('3');
  });

  it('escapes prompt text so it cannot inject TwiML', () => {
    const r = response(renderVoice(gatherView({}, { say: ['<Hangup/> & more'] })));
    const g = r.children[0]!;
    expect(names(g)).toEqual(['Say']);
    expect(g.children[0]!.text).toBe('<Hangup/> & more');
  });
});

describe('renderVoice: the end of the flow', () => {
  it('says the prompts, then Enqueue with waitUrl for a queue handoff', () => {
    const r = response(
      renderVoice({
        speech: zh,
        lang: 'zh-CN',
        say: ['正在为您转接人工服务，请稍候。'],
        handoff: { target: { queue: 'general' }, waitUrl: 'https://hotline.example/voice/hold?lang=zh-CN', afterDialUrl: '/x' },
      }),
    );
    expect(names(r)).toEqual(['Say', 'Enqueue']);
    expect(r.children[0]!.attrs).toEqual({ voice: 'Google.cmn-CN-Standard-A', language: 'cmn-CN' });
    const enqueue = r.children[1]!;
    expect(enqueue.attrs).toEqual({ waitUrl: 'https://hotline.example/voice/hold?lang=zh-CN', waitUrlMethod: 'POST' });
    expect(enqueue.text).toBe('general');
  });

  it('dials a Twilio client for an agent handoff', () => {
    const r = response(
      renderVoice({
        speech: en,
        lang: 'en-US',
        say: ['Connecting you.'],
        handoff: { target: { agent: 'alice.smith' }, waitUrl: '/hold', afterDialUrl: 'https://hotline.example/voice/dial-status' },
      }),
    );
    expect(names(r)).toEqual(['Say', 'Dial']);
    const dial = r.children[1]!;
    expect(dial.attrs).toEqual({ action: 'https://hotline.example/voice/dial-status', method: 'POST', timeout: '20' });
    expect(names(dial)).toEqual(['Client']);
    expect(dial.children[0]!.text).toBe('alice.smith');
  });

  it('says goodbye and hangs up', () => {
    const r = response(renderVoice({ speech: en, lang: 'en-US', say: ['Goodbye.'], hangup: true }));
    expect(names(r)).toEqual(['Say', 'Hangup']);
    expect(r.children[1]!.attrs).toEqual({});
    expect(r.children[1]!.children).toEqual([]);
  });

  it('prefers the handoff when a view has both handoff and hangup', () => {
    const r = response(
      renderVoice({ speech: en, lang: 'en-US', say: [], hangup: true, handoff: { target: { queue: 'q' }, waitUrl: '/w', afterDialUrl: '/d' } }),
    );
    expect(names(r)).toEqual(['Enqueue']);
  });
});

describe('renderHold', () => {
  it('says the queue position in the caller language, then pauses 20 seconds', () => {
    const r = response(renderHold(zh, 'zh-CN', 3));
    expect(names(r)).toEqual(['Say', 'Pause']);
    expect(r.children[0]!.attrs).toEqual({ voice: 'Google.cmn-CN-Standard-A', language: 'cmn-CN' });
    expect(r.children[0]!.text).toContain('您前面还有2位来电');
    expect(r.children[1]!.attrs).toEqual({ length: '20' });
  });

  it('tells the first caller they are next, also when the position is unknown', () => {
    for (const pos of [1, 0, undefined]) {
      const r = response(renderHold(en, 'en-US', pos));
      expect(r.children[0]!.attrs).toEqual({ voice: 'Polly.Joanna-Neural', language: 'en-US' });
      expect(r.children[0]!.text).toMatch(/^You are next in line/);
    }
  });
});

describe('renderApology', () => {
  it('apologises in each language given, in order, then queues the caller', () => {
    const r = response(
      renderApology(
        [
          { lang: 'zh-CN', speech: zh },
          { lang: 'en-US', speech: en },
        ],
        'general',
        'https://hotline.example/voice/hold',
      ),
    );
    expect(names(r)).toEqual(['Say', 'Say', 'Enqueue']);
    expect(r.children[0]!.attrs).toEqual({ voice: 'Google.cmn-CN-Standard-A', language: 'cmn-CN' });
    expect(r.children[0]!.text).toBe(APOLOGY['zh-CN']);
    expect(r.children[1]!.attrs).toEqual({ voice: 'Polly.Joanna-Neural', language: 'en-US' });
    expect(r.children[1]!.text).toBe(APOLOGY['en-US']);
    expect(r.children[2]!.attrs).toEqual({ waitUrl: 'https://hotline.example/voice/hold', waitUrlMethod: 'POST' });
    expect(r.children[2]!.text).toBe('general');
  });

  it('never hangs up and never gathers', () => {
    const r = response(renderApology([{ lang: 'en-US', speech: en }], 'general', '/hold'));
    expect(names(r)).toEqual(['Say', 'Enqueue']);
  });
});
