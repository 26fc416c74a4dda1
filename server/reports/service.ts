import { rate, type Period, type Rate } from '../cases/measures.ts';
import type { VoiceRecord } from '../voice/measures.ts';
import type { TextRecord } from '../sms/measures.ts';
import type { FirstContact, SmsMeasures } from './types.ts';

/** The phone service measures of a period (GB/T 33358 and the centres' own), defined in docs/reports.md. */
export interface ServiceMeasures {
  period: Period;
  offered: number;
  answeredInMenu: number;
  abandonedInMenu: number;
  failed: number;
  askedForHuman: number;
  answeredByAgent: number;
  abandonedInQueue: number;
  answerRate: Rate;
  answeredWithin15s: Rate;
  containment: Rate;
  /** From the call's start to its asking for a human. */
  timeToHuman: { p50Seconds: number | null; p90Seconds: number | null; meanMenuSteps: number | null };
  /** From asking for a human to an agent taking the call. */
  timeToAnswer: { p50Seconds: number | null; p90Seconds: number | null };
  /** From the call's start to an agent taking it (the calls agents took). */
  timeToAgent: { p50Seconds: number | null; p90Seconds: number | null };
}

/** The nearest-rank percentile. */
/** The nearest-rank p50 and p90 of the samples (sorted once, as numbers: a month has hundreds of thousands). */
function p50p90(xs: number[]): { p50Seconds: number | null; p90Seconds: number | null } {
  if (!xs.length) return { p50Seconds: null, p90Seconds: null };
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  return { p50Seconds: at(50), p90Seconds: at(90) };
}
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/** The seconds behind the service percentiles: call start to asking for a human, asking to an agent taking over. */
export interface ServiceSamples {
  toHuman: number[];
  waits: number[];
  toAgent: number[];
  /** Menu states passed before the hand-offs, in all. */
  steps: number;
}

/** The service measures from the voice channel's record and the times agents took calls over. */
export function serviceMeasures(period: Period, voice: VoiceRecord, takenAt: Map<string, string>): ServiceMeasures {
  return serviceAndSamples(period, voice, takenAt).measures;
}

export function serviceAndSamples(period: Period, voice: VoiceRecord, takenAt: Map<string, string>): { measures: ServiceMeasures; samples: ServiceSamples } {
  const waits: number[] = [];
  const toHuman: number[] = [];
  const toAgent: number[] = [];
  let within = 0;
  let steps = 0;
  const counted = { answered_in_menu: 0, abandoned: 0, failed: 0 };
  for (const c of voice.calls) {
    if (!c.handedOffAt) {
      if (c.outcome === 'answered_in_menu' || c.outcome === 'abandoned' || c.outcome === 'failed') counted[c.outcome]++;
      continue;
    }
    toHuman.push(seconds(c.startedAt, c.handedOffAt));
    steps += c.steps;
    const taken = takenAt.get(c.callSid);
    if (!taken) continue;
    const w = Math.max(0, seconds(c.handedOffAt, taken));
    waits.push(w);
    toAgent.push(Math.max(0, seconds(c.startedAt, taken)));
    if (w <= 15) within++;
  }
  const asked = toHuman.length;
  const measures: ServiceMeasures = {
    period,
    offered: voice.calls.length,
    answeredInMenu: counted.answered_in_menu,
    abandonedInMenu: counted.abandoned,
    failed: counted.failed,
    askedForHuman: asked,
    answeredByAgent: waits.length,
    abandonedInQueue: asked - waits.length,
    answerRate: rate(waits.length, asked),
    answeredWithin15s: rate(within, asked),
    containment: rate(counted.answered_in_menu, voice.calls.length),
    timeToHuman: { p50Seconds: null, p90Seconds: null, meanMenuSteps: null },
    timeToAnswer: { p50Seconds: null, p90Seconds: null },
    timeToAgent: { p50Seconds: null, p90Seconds: null },
  };
  const samples = { toHuman, waits, toAgent, steps };
  return { measures: withPercentiles(measures, samples), samples };
}

/** The percentiles of the measures, from their samples (also after the samples of several days are put together). */
export function withPercentiles(m: ServiceMeasures, s: ServiceSamples): ServiceMeasures {
  return {
    ...m,
    timeToHuman: { ...p50p90(s.toHuman), meanMenuSteps: s.toHuman.length ? s.steps / s.toHuman.length : null },
    timeToAnswer: p50p90(s.waits),
    timeToAgent: p50p90(s.toAgent),
  };
}

export const SMS_ANSWER_SECONDS = 180;

function groupBy<T, V>(xs: T[], key: (x: T) => string, value: (x: T) => V): Map<string, V[]> {
  const out = new Map<string, V[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(value(x));
    else out.set(k, [value(x)]);
  }
  return out;
}

/** The first of the sorted times after `t` (strictly), or undefined. */
function firstAfter<T extends string | number>(sorted: T[], t: T, orEqual = false): T | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t || (!orEqual && sorted[mid] === t)) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

export const TEXT_ANSWER_WITHIN_HOURS = 24;

/**
 * When each text conversation was answered: by the menu when it ended there, or by the first
 * text the centre sent that number within 24 hours of the hand-off to a person. `texts`: the
 * centre's texts to those numbers, oldest first.
 */
export function textAnswers(conversations: TextRecord[], texts: Array<{ to: string; at: string }>): Map<string, string> {
  const byNumber = groupBy(texts, (t) => t.to, (t) => t.at);
  const out = new Map<string, string>();
  for (const c of conversations) {
    if (c.outcome === 'answered_in_menu' && c.endedAt) out.set(c.id, c.endedAt);
    if (c.outcome === 'handed_off' && c.endedAt) {
      const first = firstAfter(byNumber.get(c.from) ?? [], c.endedAt, true);
      if (first && Date.parse(first) - Date.parse(c.endedAt) <= TEXT_ANSWER_WITHIN_HOURS * 3600_000) out.set(c.id, first);
    }
  }
  return out;
}

/** The SMS measures: conversations answered within 3 minutes of their first text. */
export function smsMeasures(conversations: TextRecord[], answeredAt: Map<string, string>): SmsMeasures {
  let asked = 0;
  let within = 0;
  const n = { answered_in_menu: 0, handed_off: 0, abandoned: 0 };
  for (const c of conversations) {
    if (c.outcome === 'answered_in_menu' || c.outcome === 'handed_off' || c.outcome === 'abandoned') n[c.outcome]++;
    if (c.outcome !== 'answered_in_menu' && c.outcome !== 'handed_off') continue;
    asked++;
    const at = answeredAt.get(c.id);
    if (at && seconds(c.startedAt, at) <= SMS_ANSWER_SECONDS) within++;
  }
  return { conversations: conversations.length, answeredInMenu: n.answered_in_menu, handedOff: n.handed_off, abandoned: n.abandoned, answeredWithin3min: rate(within, asked) };
}

export const REPEAT_WINDOW_HOURS = 72;

/** A contact (call or text conversation) that was answered: by the menu, an agent, or a person's text. */
export interface AnsweredContact {
  id: string;
  from: string;
  at: string;
}

/**
 * First-contact resolution: of the answered contacts, those that opened no case (`withCase`:
 * the contacts that did) and after which the same number did not call or text again within 72
 * hours. `later`: every contact from the period's start to 72 h after its end.
 */
export function firstContact(answered: AnsweredContact[], later: Array<{ from: string; at: string }>, withCase: Set<string>): FirstContact {
  const times = groupBy(later, (c) => c.from, (c) => Date.parse(c.at));
  for (const list of times.values()) list.sort((a, b) => a - b);
  const window = REPEAT_WINDOW_HOURS * 3600_000;
  let settled = 0;
  for (const c of answered) {
    if (withCase.has(c.id)) continue;
    const t = Date.parse(c.at);
    const next = firstAfter(times.get(c.from) ?? [], t);
    if (next !== undefined && next <= t + window) continue;
    settled++;
  }
  return { resolution: rate(settled, answered.length) };
}
