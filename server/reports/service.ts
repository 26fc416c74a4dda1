import { rate, type Period, type Rate } from '../cases/measures.ts';
import type { VoiceRecord } from '../voice/measures.ts';

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
}

/** The nearest-rank percentile. */
const pct = (xs: number[], p: number) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

/** The service measures from the voice channel's record and the times agents took calls over. */
export function serviceMeasures(period: Period, voice: VoiceRecord, takenAt: Map<string, string>): ServiceMeasures {
  const waits: number[] = [];
  let within = 0;
  for (const c of voice.toHuman) {
    const taken = takenAt.get(c.callSid);
    if (!taken) continue;
    const w = Math.max(0, seconds(c.handedOffAt, taken));
    waits.push(w);
    if (w <= 15) within++;
  }
  const asked = voice.toHuman.length;
  const toHuman = voice.toHuman.map((c) => seconds(c.startedAt, c.handedOffAt));
  return {
    period,
    offered: voice.offered,
    answeredInMenu: voice.answeredInMenu,
    abandonedInMenu: voice.abandonedInMenu,
    failed: voice.failed,
    askedForHuman: asked,
    answeredByAgent: waits.length,
    abandonedInQueue: asked - waits.length,
    answerRate: rate(waits.length, asked),
    answeredWithin15s: rate(within, asked),
    containment: rate(voice.answeredInMenu, voice.offered),
    timeToHuman: { p50Seconds: pct(toHuman, 50), p90Seconds: pct(toHuman, 90), meanMenuSteps: asked ? voice.toHuman.reduce((n, c) => n + c.steps, 0) / asked : null },
    timeToAnswer: { p50Seconds: pct(waits, 50), p90Seconds: pct(waits, 90) },
  };
}
