import twilio from 'twilio';
import type { Gather, Handoff, Language, SpeechSettings } from '../flows/schema.ts';

const { VoiceResponse } = twilio.twiml;

/** Everything the voice renderer needs; a plain value so rendering is a pure function. */
export interface VoiceView {
  speech: SpeechSettings;
  lang: Language;
  say: string[];
  /** Waiting for input: where Twilio posts the answer. */
  gather?: { spec: Gather; action: string; hints?: string[] };
  handoff?: { target: Handoff; waitUrl: string; afterDialUrl: string; transcription?: { url: string; languageCode: string } };
  hangup?: boolean;
}

/**
 * Render one turn as TwiML. Prompts sit inside `<Gather>` so callers can barge in; the
 * `<Redirect>` after it catches the fall-through Twilio does on silence, so a no-input
 * still reaches the flow (as does actionOnEmptyResult where Twilio honours it).
 */
export function renderVoice(view: VoiceView): string {
  const r = new VoiceResponse();
  const sayAttrs = { voice: view.speech.voice as never, language: view.speech.sayLanguage as never };
  if (view.gather) {
    const g = view.gather.spec;
    const gather = r.gather({
      input: g.input as never,
      action: view.gather.action,
      method: 'POST',
      timeout: g.timeout,
      actionOnEmptyResult: true,
      ...(g.numDigits ? { numDigits: g.numDigits } : {}),
      ...(g.finishOnKey !== undefined ? { finishOnKey: g.finishOnKey } : {}),
      ...(g.input.includes('speech')
        ? {
            language: view.speech.recognition as never,
            speechTimeout: String(g.speechTimeout),
            ...(view.gather.hints?.length ? { hints: view.gather.hints.join(',') } : {}),
          }
        : {}),
    });
    for (const text of view.say) gather.say(sayAttrs, text);
    r.redirect({ method: 'POST' }, view.gather.action);
    return r.toString();
  }
  for (const text of view.say) r.say(sayAttrs, text);
  if (view.handoff) {
    const t = view.handoff.target;
    const tr = view.handoff.transcription;
    // Both tracks: the caller's words feed the suggestions, the agent's complete the transcript.
    if (tr) r.start().transcription({ statusCallbackUrl: tr.url, statusCallbackMethod: 'POST', track: 'both_tracks', languageCode: tr.languageCode, partialResults: false });
    if ('queue' in t) {
      r.enqueue({ waitUrl: view.handoff.waitUrl, waitUrlMethod: 'POST' }, t.queue);
    } else {
      const dial = r.dial({ action: view.handoff.afterDialUrl, method: 'POST', timeout: 20 });
      dial.client(t.agent);
    }
  } else if (view.hangup) {
    r.hangup();
  }
  return r.toString();
}

const HOLD_TEXT: Record<Language, (pos: number) => string> = {
  'zh-CN': (pos) => (pos > 1 ? `您前面还有${pos - 1}位来电，请稍候，人工客服将尽快为您服务。` : '您是下一位，人工客服马上为您服务，请稍候。'),
  'en-US': (pos) =>
    pos > 1 ? `There are ${pos - 1} callers ahead of you. Please hold; an agent will be with you shortly.` : 'You are next in line. An agent will be with you shortly.',
};

/** The queue's wait music: position, then a pause; Twilio requests it again when it ends. */
export function renderHold(speech: SpeechSettings, lang: Language, position: number | undefined): string {
  const r = new VoiceResponse();
  r.say({ voice: speech.voice as never, language: speech.sayLanguage as never }, HOLD_TEXT[lang](position && position > 0 ? position : 1));
  r.pause({ length: 20 });
  return r.toString();
}

export const APOLOGY: Record<Language, string> = {
  'zh-CN': '抱歉，系统暂时出现问题，正在为您转接人工服务，请稍候。',
  'en-US': 'Sorry, something went wrong on our side. We are connecting you to an agent, please hold.',
};

/**
 * What a caller hears when anything inside a webhook fails: an apology in the call's
 * language (both when unknown) and the human queue. Never Twilio's "application error".
 */
export function renderApology(voices: Array<{ lang: Language; speech: SpeechSettings }>, queue: string, waitUrl: string): string {
  const r = new VoiceResponse();
  for (const v of voices) r.say({ voice: v.speech.voice as never, language: v.speech.sayLanguage as never }, APOLOGY[v.lang]);
  r.enqueue({ waitUrl, waitUrlMethod: 'POST' }, queue);
  return r.toString();
}

export function renderHangup(): string {
  const r = new VoiceResponse();
  r.hangup();
  return r.toString();
}

export function renderEmpty(): string {
  return new VoiceResponse().toString();
}
