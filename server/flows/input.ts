import type { FlowDefinition, FlowState, Language } from './schema.ts';
import { RUNTIME_EVENTS } from './schema.ts';
import type { FlowEvent } from './implementations.ts';

/** What the caller did at one prompt, whatever the channel. */
export interface CallerInput {
  digits?: string;
  speech?: string;
  confidence?: number;
}

/** Long enough for any real utterance; a 10 KB SpeechResult is cut here, before anything else sees it. */
export const MAX_SPEECH_CHARS = 500;

const SPOKEN_DIGITS: Record<string, string> = {
  '零': '0', '〇': '0', '一': '1', '幺': '1', '二': '2', '两': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9',
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};

/** Lower case, no punctuation or spaces: recognisers add both freely ("Agent." / "人工，"). */
export function normalizeSpeech(s: string): string {
  return s.toLowerCase().normalize('NFKC').replace(/[\p{P}\p{S}\s]+/gu, '');
}

function spokenDigit(norm: string): string | undefined {
  if (/^[0-9*#]$/.test(norm)) return norm;
  const stripped = norm.replace(/^(按|press|number|数字)/, '').replace(/(号|键)$/, '');
  return SPOKEN_DIGITS[stripped] ?? (/^[0-9]$/.test(stripped) ? stripped : undefined);
}

function containsWord(norm: string, words: string[] | undefined): boolean {
  return !!words?.some((w) => {
    const n = normalizeSpeech(w);
    return n.length > 0 && norm.includes(n);
  });
}

/** Words in every language count: a caller may say "English" in the Chinese menu. */
function anyLanguage(words: Partial<Record<Language, string[]>> | undefined): string[] {
  return Object.values(words ?? {}).flat();
}

/**
 * Turn one answer into the event the flow understands. The route to a human wins over
 * everything; then the state's options; then free digits or speech if the state takes
 * them; anything else is INVALID, and nothing at all is NO_INPUT.
 */
export function interpretInput(flow: FlowDefinition, state: FlowState, input: CallerInput): FlowEvent {
  const digits = input.digits?.replace(/[^0-9*#]/g, '') || undefined;
  const speech = input.speech?.slice(0, MAX_SPEECH_CHARS).trim() || undefined;
  const base = { digits, speech, confidence: input.confidence };
  const options = state.gather?.options ?? [];
  const handles = (e: string) => state.on?.[e] !== undefined || flow.machine.on?.[e] !== undefined;

  if (digits) {
    if (digits === flow.human.digit) return { type: flow.human.event, ...base };
    const opt = options.find((o) => o.digit === digits);
    if (opt) return { type: opt.event, ...base };
    if (handles(RUNTIME_EVENTS.DIGITS)) return { type: RUNTIME_EVENTS.DIGITS, ...base };
    return { type: RUNTIME_EVENTS.INVALID, ...base };
  }
  if (speech) {
    const norm = normalizeSpeech(speech);
    if (containsWord(norm, anyLanguage(flow.human.words))) return { type: flow.human.event, ...base };
    const key = spokenDigit(norm);
    if (key !== undefined) {
      if (key === flow.human.digit) return { type: flow.human.event, ...base };
      const byKey = options.find((o) => o.digit === key);
      if (byKey) return { type: byKey.event, ...base, digits: key };
    }
    const opt = options.find((o) => containsWord(norm, anyLanguage(o.words)));
    if (opt) return { type: opt.event, ...base };
    if (handles(RUNTIME_EVENTS.SPEECH)) return { type: RUNTIME_EVENTS.SPEECH, ...base };
    const spokenNumber = norm.replace(/[^0-9]/g, '');
    if (spokenNumber.length > 1 && spokenNumber.length === norm.length && handles(RUNTIME_EVENTS.DIGITS)) {
      return { type: RUNTIME_EVENTS.DIGITS, ...base, digits: spokenNumber };
    }
    return { type: RUNTIME_EVENTS.INVALID, ...base };
  }
  return { type: RUNTIME_EVENTS.NO_INPUT, ...base };
}
