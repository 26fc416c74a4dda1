import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { interpretInput, normalizeSpeech, MAX_SPEECH_CHARS, type CallerInput } from '../../server/flows/input.ts';
import { parseFlowSource } from '../../server/flows/load.ts';
import { readFlowFile } from '../../server/flows/files.ts';
import { flowImplementations } from '../../server/wiring.ts';
import type { FlowDefinition, FlowState } from '../../server/flows/schema.ts';

const MAIN = path.resolve(import.meta.dirname, '../../flows/main.yaml');

const flow: FlowDefinition = (() => {
  const r = parseFlowSource(MAIN, readFlowFile(MAIN), flowImplementations());
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.flow;
})();

function state(name: string): FlowState {
  const s = flow.machine.states[name];
  if (!s) throw new Error(`main.yaml has no state ${name}`);
  return s;
}

const type = (name: string, input: CallerInput) => interpretInput(flow, state(name), input).type;

describe('keys', () => {
  it.each([
    ['1', 'POLICY'],
    ['2', 'CASE'],
    ['3', 'COMPLAINT'],
    ['9', 'LANGUAGE'],
  ])('%s in the greeting is %s', (digits, event) => {
    const e = interpretInput(flow, state('greeting'), { digits });
    expect(e).toMatchObject({ type: event, digits });
  });

  it('0 is the route to a human in every waiting state', () => {
    for (const name of ['greeting', 'policy', 'caseNumber', 'complaint']) expect(type(name, { digits: '0' })).toBe('AGENT');
  });

  it('a key no option uses is INVALID where the state takes no free digits', () => {
    expect(type('greeting', { digits: '7' })).toBe('INVALID');
    expect(type('policy', { digits: '5' })).toBe('INVALID');
  });

  it('ignores what is not a key around the digits', () => {
    expect(interpretInput(flow, state('greeting'), { digits: ' 2\n' })).toMatchObject({ type: 'CASE', digits: '2' });
  });

  it('* goes back from a sub-menu', () => {
    expect(type('caseNumber', { digits: '*' })).toBe('BACK');
    expect(type('complaint', { digits: '*' })).toBe('BACK');
  });

  it('a case number keyed in is DIGITS, carrying the number', () => {
    expect(interpretInput(flow, state('caseNumber'), { digits: '20240001' })).toMatchObject({ type: 'DIGITS', digits: '20240001' });
    // A number that starts with the human key is still a number.
    expect(interpretInput(flow, state('caseNumber'), { digits: '0123' })).toMatchObject({ type: 'DIGITS', digits: '0123' });
  });
});

describe('the route to a human by voice', () => {
  it.each(['人工', '转人工，', '我要人工服务', 'Agent.', 'I want to talk to an OPERATOR please', 'A person!'])('"%s" is AGENT', (speech) => {
    expect(type('greeting', { speech })).toBe('AGENT');
  });

  it('wins over option words in the same answer', () => {
    expect(type('greeting', { speech: '投诉，转人工' })).toBe('AGENT');
  });

  it('works in a state with no spoken options too', () => {
    expect(type('caseNumber', { speech: '人工' })).toBe('AGENT');
  });

  it('spoken zero is the human key', () => {
    expect(type('greeting', { speech: '零' })).toBe('AGENT');
    expect(type('greeting', { speech: 'zero' })).toBe('AGENT');
  });
});

describe('spoken keys', () => {
  it.each([
    ['一', 'POLICY', '1'],
    ['幺', 'POLICY', '1'],
    ['two', 'CASE', '2'],
    ['Two.', 'CASE', '2'],
    ['按三', 'COMPLAINT', '3'],
    ['三号', 'COMPLAINT', '3'],
    ['press 9', 'LANGUAGE', '9'],
    ['2', 'CASE', '2'],
  ])('"%s" is %s with digits %s', (speech, event, digits) => {
    expect(interpretInput(flow, state('greeting'), { speech })).toMatchObject({ type: event, digits, speech });
  });
});

describe('spoken option words, in either language', () => {
  it.each([
    ['我想咨询一下', 'POLICY'],
    ['policy question', 'POLICY'],
    ['查询办件进度', 'CASE'],
    ['Check my case, please.', 'CASE'],
    ['我要投诉', 'COMPLAINT'],
    ['I want to complain about noise', 'COMPLAINT'],
    ['English', 'LANGUAGE'],
    ['普通话', 'LANGUAGE'],
  ])('"%s" in the greeting is %s', (speech, event) => {
    expect(type('greeting', { speech })).toBe(event);
  });

  it('the English words count in a Chinese call and the other way round (no language in the input)', () => {
    expect(type('policy', { speech: 'go back' })).toBe('BACK');
    expect(type('policy', { speech: '返回主菜单' })).toBe('BACK');
  });
});

describe('free speech', () => {
  it('is SPEECH where the state routes it, carrying the words', () => {
    const e = interpretInput(flow, state('greeting'), { speech: '社保卡丢了怎么办', confidence: 0.91 });
    expect(e).toEqual({ type: 'SPEECH', speech: '社保卡丢了怎么办', digits: undefined, confidence: 0.91 });
    expect(type('complaint', { speech: '楼下装修噪音太大' })).toBe('SPEECH');
  });

  it('is INVALID where the state does not take speech', () => {
    expect(type('caseNumber', { speech: 'hello there' })).toBe('INVALID');
  });

  it('a spoken number becomes DIGITS in a state that takes digits but not speech', () => {
    expect(interpretInput(flow, state('caseNumber'), { speech: '2024 0001' })).toMatchObject({ type: 'DIGITS', digits: '20240001' });
  });
});

describe('nothing at all', () => {
  it.each([{}, { speech: '' }, { speech: '   ' }, { digits: '' }, { digits: 'x' }])('%j is NO_INPUT', (input) => {
    expect(type('greeting', input)).toBe('NO_INPUT');
  });
});

describe('size limit', () => {
  it(`cuts a 10 KB speech result to ${MAX_SPEECH_CHARS} characters before matching`, () => {
    const speech = '社'.repeat(10 * 1024);
    const e = interpretInput(flow, state('greeting'), { speech });
    expect(e.type).toBe('SPEECH');
    expect(e.speech).toHaveLength(MAX_SPEECH_CHARS);
    expect(MAX_SPEECH_CHARS).toBeLessThan(speech.length);
  });

  it('ignores words beyond the limit', () => {
    // "agent" after the cut-off must not send the caller to a human.
    const speech = 'a '.repeat(MAX_SPEECH_CHARS / 2) + 'agent';
    expect(type('greeting', { speech })).toBe('SPEECH');
    expect(type('greeting', { speech: 'a '.repeat(MAX_SPEECH_CHARS / 2 - 3) + 'agent' })).toBe('AGENT');
  });

  it('does not mistake a question that contains a human word for a request for a person', () => {
    expect(type('greeting', { speech: '人工智能产业扶持政策有哪些' })).toBe('POLICY'); // 政策 is the policy option's word
    expect(type('greeting', { speech: '人工智能企业能申请什么补贴' })).toBe('SPEECH');
    expect(type('greeting', { speech: 'I need help with a personal loan' })).toBe('SPEECH');
    expect(type('greeting', { speech: '请帮我转接人工客服' })).toBe('AGENT');
    expect(type('greeting', { speech: 'Can I talk to a human, please?' })).toBe('AGENT');
  });
});

describe('normalizeSpeech', () => {
  it('drops case, punctuation and spaces, and folds full-width forms', () => {
    expect(normalizeSpeech('Agent.')).toBe('agent');
    expect(normalizeSpeech('人工， 服务！')).toBe('人工服务');
    expect(normalizeSpeech('ＡＢＣ １２')).toBe('abc12');
  });
});
