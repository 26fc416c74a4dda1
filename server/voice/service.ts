import type { Logger } from '../log.ts';
import type { CallEvents } from '../events.ts';
import type { Metrics } from '../ops/metrics.ts';
import { answeredIn, LANGUAGES, type Language } from '../flows/schema.ts';
import type { FlowRuntime, FlowTurn, FlowVersion } from '../flows/runtime.ts';
import type { FlowVersions } from '../flows/versions.ts';
import { speechFor } from '../flows/speech.ts';
import { SID_RE, type TwilioParams } from '../twilio/webhook.ts';
import { Calls, isFinished } from './calls.ts';
import { renderApology, renderHangup, renderHold, renderVoice, renderEmpty } from './twiml.ts';

export interface VoiceDeps {
  calls: Calls;
  flows: FlowVersions;
  runtime: FlowRuntime;
  events: CallEvents;
  metrics: Metrics;
  log: Logger;
  publicUrl: string;
  defaultFlow: string;
  humanQueue: string;
}

/** Stands for the step number in a cached TwiML document; URL-safe, and no prompt would contain it. */
const STEP_SLOT = 'STEP-SLOT-7f3a9c';
const TERMINAL = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);

const isLanguage = (x: unknown): x is Language => typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x);

/**
 * The voice channel: one webhook in, one TwiML document out. Loads the call's snapshot,
 * applies one caller answer, renders, saves with a compare-and-set on the step counter.
 */
export class VoiceService {
  constructor(private readonly d: VoiceDeps) {}

  private url(path: string, query: Record<string, string | number> = {}): string {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return `${this.d.publicUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private waitUrl(lang?: Language, queue?: string) {
    return this.url('/twilio/voice/wait', { ...(lang ? { lang } : {}), ...(queue ? { queue } : {}) });
  }

  /** The apology and the human queue, in the call's language when we know it. */
  apology(lang?: Language, flow?: FlowVersion): string {
    const speech = flow?.definition.speech;
    const langs = lang ? [lang] : (['zh-CN', 'en-US'] as const);
    return renderApology(
      langs.map((l) => ({ lang: l, speech: speechFor(l, speech) })),
      this.d.humanQueue,
      this.waitUrl(lang),
    );
  }

  /**
   * TwiML depends on the version, state, language and prompts — and the step token, which is
   * spliced in — so the same document is built once, not on every step of every call.
   */
  private rendered = new Map<string, string>();

  private render(v: FlowVersion, turn: FlowTurn, nextStep: number, callSid: string): string {
    const dial = turn.end?.handoff && 'agent' in turn.end.handoff;
    const key = dial ? undefined : `${v.flowId}@${v.version}:${v.hash}|${turn.state}|${turn.lang}|${turn.say.join('\u0001')}`;
    const cached = key && this.rendered.get(key);
    if (cached) return cached.replaceAll(STEP_SLOT, String(nextStep));
    const twiml = this.build(v, turn, key ? STEP_SLOT : String(nextStep), callSid);
    if (key) {
      if (this.rendered.size >= 5000) this.rendered.delete(this.rendered.keys().next().value!);
      this.rendered.set(key, twiml);
      return twiml.replaceAll(STEP_SLOT, String(nextStep));
    }
    return twiml;
  }

  private build(v: FlowVersion, turn: FlowTurn, step: string, callSid: string): string {
    const flow = v.definition;
    const speech = speechFor(turn.lang, flow.speech);
    const action = this.url('/twilio/voice', { step });
    return renderVoice({
      speech,
      lang: turn.lang,
      say: turn.say,
      gather: turn.gather ? { spec: turn.gather, action, hints: turn.gather.hints?.[turn.lang] } : undefined,
      handoff: turn.end?.handoff
        ? {
            target: turn.end.handoff,
            waitUrl: this.waitUrl(turn.lang, 'queue' in turn.end.handoff ? turn.end.handoff.queue : undefined),
            afterDialUrl: this.url('/twilio/voice/after-dial', { lang: turn.lang, sid: callSid }),
            transcription: turn.end.handoff.transcribe ? { url: this.url('/twilio/transcription'), languageCode: speech.recognition } : undefined,
          }
        : undefined,
      hangup: turn.end?.hangup,
    });
  }

  private handoffTarget(turn: FlowTurn): string | undefined {
    const h = turn.end?.handoff;
    return h ? ('queue' in h ? `queue:${h.queue}` : `agent:${h.agent}`) : undefined;
  }

  /** POST /twilio/voice: a new call (no step) or an answer to a `<Gather>` (step token). */
  async answer(p: TwilioParams, query: Record<string, unknown>): Promise<string> {
    const callSid = p.CallSid;
    if (!callSid || !SID_RE.test(callSid)) {
      this.d.log.warn({ hasCallSid: !!callSid }, 'voice webhook without a usable CallSid; sending the caller to a human');
      return this.apology();
    }
    const stepRaw = typeof query.step === 'string' ? query.step : undefined;
    if (stepRaw === undefined) {
      // An outbound callback names its case in the URL it gave Twilio (signed with the rest of the URL).
      const data = typeof query.case === 'string' && /^\d{11,14}$/.test(query.case) ? { caseNumber: query.case } : undefined;
      return this.newCall(callSid, p, typeof query.flow === 'string' ? query.flow : this.d.defaultFlow, data);
    }
    const step = /^\d{1,9}$/.test(stepRaw) ? Number(stepRaw) : -1;
    const call = await this.d.calls.get(callSid);
    if (!call) {
      this.d.log.warn({ callSid, step }, 'answer for a call we have no record of; sending the caller to a human');
      return this.apology();
    }
    const v = await this.d.flows.get(call.flow_id, call.flow_version);
    if (call.status !== 'active' || isFinished(call.snapshot)) return call.last_response; // handed off or hung up: nothing left to answer
    if (step === call.last_step) return call.last_response; // Twilio retried: same answer, no second advance
    if (step !== call.step) {
      // A stale token (an old document replayed late): repeat the current prompt, move nothing.
      this.d.log.info({ callSid, step, current: call.step }, 'stale step token; repeating the current prompt');
      const turn = await this.d.runtime.current(v, JSON.parse(call.snapshot));
      return this.render(v, turn, call.step, callSid);
    }
    const confidence = p.Confidence !== undefined ? Number.parseFloat(p.Confidence) : undefined;
    const input = {
      digits: p.Digits,
      speech: p.SpeechResult,
      confidence: Number.isFinite(confidence) ? confidence : undefined,
    };
    const turn = await this.d.runtime.answer(v, JSON.parse(call.snapshot), input);
    const response = this.render(v, turn, step + 1, callSid);
    const at = new Date().toISOString();
    const handoffTarget = this.handoffTarget(turn);
    const recorded = {
      at,
      state: call.state,
      event: turn.event?.type ?? '',
      ...(turn.event?.digits ? { digits: turn.event.digits } : {}),
      ...(turn.event?.speech ? { speech: turn.event.speech } : {}),
      ...(turn.event?.confidence !== undefined ? { confidence: turn.event.confidence } : {}),
    };
    const won = await this.d.calls.advance(call, step, {
      snapshot: turn.persisted,
      response,
      lang: turn.lang,
      state: turn.state,
      entered: turn.entered,
      input: recorded,
      handoffTarget,
    });
    if (!won) {
      const now = await this.d.calls.get(callSid);
      return now && now.last_step === step ? now.last_response : this.apology(turn.lang, v);
    }
    const secret = v.definition.machine.states[call.state]?.private;
    this.d.events.emit({
      type: 'call.step',
      callSid,
      channel: 'voice',
      state: turn.state,
      entered: turn.entered,
      lang: turn.lang,
      input: secret ? { event: recorded.event } : { digits: recorded.digits, speech: recorded.speech, confidence: recorded.confidence, event: recorded.event },
      at,
    });
    if (handoffTarget && !call.handoff_target) this.d.events.emit({ type: 'call.handed_off', callSid, channel: 'voice', target: handoffTarget, at });
    return response;
  }

  private async newCall(callSid: string, p: TwilioParams, flowId: string, data?: Record<string, string>): Promise<string> {
    const existing = await this.d.calls.get(callSid);
    if (existing) return existing.last_response; // the first webhook, retried
    const v = await this.d.flows.live(flowId);
    if (v.definition.channel !== 'voice') throw new Error(`flow ${flowId} is a ${v.definition.channel} flow and cannot answer calls`);
    // On an outbound call Twilio's From is our number; the person is the To.
    const person = p.Direction?.startsWith('outbound') ? (p.To ?? '') : (p.From ?? '');
    const turn = await this.d.runtime.start(v, { caller: { sid: callSid, from: person, channel: 'voice' }, data });
    const response = this.render(v, turn, 1, callSid);
    const handoffTarget = this.handoffTarget(turn);
    const created = await this.d.calls.create({
      callSid,
      direction: p.Direction?.startsWith('outbound') ? 'outbound' : 'inbound',
      flowId: v.flowId,
      flowVersion: v.version,
      snapshot: turn.persisted,
      response,
      from: p.From ?? '',
      to: p.To ?? '',
      lang: turn.lang,
      state: turn.state,
      entered: turn.entered,
      handoffTarget,
    });
    if (!created) return (await this.d.calls.get(callSid))?.last_response ?? response;
    const at = new Date().toISOString();
    this.d.events.emit({ type: 'call.started', callSid, channel: 'voice', flowId: v.flowId, flowVersion: v.version, from: person, lang: turn.lang, at });
    this.d.events.emit({ type: 'call.step', callSid, channel: 'voice', state: turn.state, entered: turn.entered, lang: turn.lang, at });
    this.d.log.info({ callSid, from: p.From, flow: v.flowId, version: v.version }, 'call started');
    return response;
  }

  /** POST /twilio/voice/status: the call's record is closed once, whatever Twilio repeats. */
  async status(p: TwilioParams): Promise<string> {
    const callSid = p.CallSid;
    const status = p.CallStatus ?? '';
    if (!callSid || !TERMINAL.has(status)) return renderEmpty();
    const duration = p.CallDuration !== undefined && /^\d+$/.test(p.CallDuration) ? Number(p.CallDuration) : undefined;
    const ended = await this.d.calls.end(callSid, status, duration, (call) => this.wasAnswered(call));
    if (ended) {
      this.d.metrics.callsTotal.inc({ channel: 'voice', outcome: ended.outcome });
      this.d.events.emit({ type: 'call.ended', callSid, channel: 'voice', outcome: ended.outcome, durationS: duration, at: new Date().toISOString() });
      this.d.log.info({ callSid, outcome: ended.outcome, duration }, 'call ended');
    }
    return renderEmpty();
  }

  /** Whether the call passed a state that answers the caller (`answers: true` in its flow). */
  private async wasAnswered(call: { flow_id: string; flow_version: number; path: string }): Promise<boolean> {
    try {
      const v = await this.d.flows.get(call.flow_id, call.flow_version);
      return answeredIn(v.definition, JSON.parse(call.path) as string[]);
    } catch {
      return false;
    }
  }

  /** POST /twilio/voice/wait: hold message with the caller's position in the queue (which agents see too). */
  hold(p: TwilioParams, query: Record<string, unknown>): string {
    const lang = isLanguage(query.lang) ? query.lang : 'zh-CN';
    const pos = p.QueuePosition && /^\d+$/.test(p.QueuePosition) ? Number(p.QueuePosition) : undefined;
    const waited = p.QueueTime && /^\d+$/.test(p.QueueTime) ? Number(p.QueueTime) : undefined;
    if (p.CallSid && SID_RE.test(p.CallSid)) {
      const queue = typeof query.queue === 'string' && query.queue ? query.queue : this.d.humanQueue;
      this.d.events.emit({ type: 'call.queued', callSid: p.CallSid, channel: 'voice', queue, position: pos, waitS: waited, at: new Date().toISOString() });
    }
    return renderHold(speechFor(lang), lang, pos);
  }

  /** POST /twilio/voice/after-dial: an agent who did not answer sends the caller to the queue. */
  async afterDial(p: TwilioParams, query: Record<string, unknown>): Promise<string> {
    const lang = isLanguage(query.lang) ? query.lang : undefined;
    if (p.DialCallStatus === 'completed') return renderHangup();
    if (p.CallSid) {
      await this.d.calls.markHandoff(p.CallSid, `queue:${this.d.humanQueue}`).catch(() => undefined);
      const agent = typeof query.agent === 'string' && query.agent ? query.agent : undefined;
      if (SID_RE.test(p.CallSid)) this.d.events.emit({ type: 'call.handed_off', callSid: p.CallSid, channel: 'voice', target: `queue:${this.d.humanQueue}`, unansweredBy: agent, at: new Date().toISOString() });
    }
    return this.apology(lang);
  }

  /** The language of a call, for an error path that still wants to speak it. */
  async languageOf(callSid: string | undefined): Promise<Language | undefined> {
    if (!callSid) return undefined;
    const call = await this.d.calls.get(callSid).catch(() => undefined);
    return isLanguage(call?.lang) ? call.lang : undefined;
  }
}
