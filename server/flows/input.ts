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
export const MAX_DIGITS = 64;

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

const LATIN_WORD = /[a-z0-9']+/g;

/**
 * The human route overrides everything, so it must not fire on a question that merely
 * contains its word: "人工智能产业政策" asks about AI, "a personal loan" is not "a person".
 * Latin words must match whole words; Han words must make up most of a short utterance.
 */
export const HUMAN_SPEECH_EXTRA_CHARS = 6;
/** "转人工", "找人工", "要人工", "接人工", "请人工": asking for, not asking about. */
const HAN_REQUEST_VERBS = /[转接找要请叫]$/u;

function asksForHuman(raw: string, words: string[]): boolean {
  const lower = raw.toLowerCase().normalize('NFKC');
  const tokens = ` ${(lower.match(LATIN_WORD) ?? []).join(' ')} `;
  const han = normalizeSpeech(lower);
  return words.some((w) => {
    const word = w.toLowerCase().normalize('NFKC').trim();
    if (!word) return false;
    if (/\p{Script=Han}/u.test(word)) {
      const n = normalizeSpeech(word);
      const at = han.indexOf(n);
      return at >= 0 && (han.length <= n.length + HUMAN_SPEECH_EXTRA_CHARS || HAN_REQUEST_VERBS.test(han.slice(0, at)));
    }
    const wt = (word.match(LATIN_WORD) ?? []).join(' ');
    return wt.length > 0 && tokens.includes(` ${wt} `);
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
  // Nothing real is longer than a case or ID number; a forged 60 KB Digits is cut here.
  const digits = input.digits?.replace(/[^0-9*#]/g, '').slice(0, MAX_DIGITS) || undefined;
  // Cut by characters, not UTF-16 units, so no half emoji survives the cut.
  const cut = input.speech ? Array.from(input.speech.slice(0, MAX_SPEECH_CHARS * 2)).slice(0, MAX_SPEECH_CHARS).join('').trim() : '';
  // Speech with no letter or digit in it (noise, a replacement character) is no answer.
  const speech = cut && normalizeSpeech(cut) ? cut : undefined;
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
    if (asksForHuman(speech, anyLanguage(flow.human.words))) return { type: flow.human.event, ...base };
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
