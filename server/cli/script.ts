import { parse } from 'yaml';
import { z } from 'zod';
import { TwilioPhone, type Heard, type PhoneOptions } from './phone.ts';

/**
 * A scripted call: what the caller does and what they must hear. Lives next to the flows
 * (flows/calls/<flow>/*.yaml) and runs in `npm test` and `npx hotline simulate --script`.
 */
const Step = z.union([
  z.strictObject({ press: z.string().regex(/^[0-9*#]+$/) }),
  z.strictObject({ say: z.string().min(1), confidence: z.number().min(0).max(1).optional() }),
  z.strictObject({ silence: z.literal(true) }),
  z.strictObject({ expect: z.string().min(1) }),
  z.strictObject({ expectNot: z.string().min(1) }),
  z.strictObject({ expectHandoff: z.string().min(1) }),
  z.strictObject({ expectHangup: z.literal(true) }),
  z.strictObject({ expectWaiting: z.enum(['dtmf', 'speech', 'dtmf speech']) }),
  z.strictObject({ hangup: z.literal(true) }),
]);
export const CallScript = z.strictObject({
  name: z.string().min(1),
  flow: z.string().default('main'),
  from: z.string().optional(),
  steps: z.array(Step).min(1),
});
export type CallScript = z.infer<typeof CallScript>;

export interface TranscriptEntry {
  action: string;
  heard?: string[];
  waitingFor?: string;
  handoff?: string;
  hungUp?: boolean;
  ok?: boolean;
  problem?: string;
}

export function parseScript(text: string): CallScript {
  return CallScript.parse(parse(text));
}

/** Run a script; returns the transcript and the first failed expectation, if any. */
export async function runScript(script: CallScript, phone: Omit<PhoneOptions, 'from'>): Promise<{ transcript: TranscriptEntry[]; failure?: string }> {
  const p = new TwilioPhone({ ...phone, from: script.from ?? '+8613800138000' });
  const transcript: TranscriptEntry[] = [];
  let last: Heard = await p.dial(script.flow);
  const record = (action: string, h: Heard) =>
    transcript.push({
      action,
      heard: h.heard,
      waitingFor: h.gather?.input.join(' '),
      handoff: h.handoff ? (h.handoff.queue ?? `agent ${h.handoff.agent}`) : undefined,
      hungUp: h.hungUp || undefined,
    });
  record(`dial ${script.flow}`, last);
  const fail = (msg: string) => {
    transcript.push({ action: 'check', ok: false, problem: msg });
    return { transcript, failure: msg };
  };
  for (const step of script.steps) {
    const heard = last.heard.join(' ');
    if ('press' in step) record(`press ${step.press}`, (last = await p.press(step.press)));
    else if ('say' in step) record(`say "${step.say}"`, (last = await p.say(step.say, step.confidence)));
    else if ('silence' in step) record('silence', (last = await p.silence()));
    else if ('hangup' in step) {
      const status = await p.hangup();
      transcript.push({ action: 'hang up', ok: status === 200 });
    } else if ('expect' in step) {
      if (!heard.includes(step.expect)) return fail(`expected to hear "${step.expect}", heard: ${heard || '(nothing)'}`);
    } else if ('expectNot' in step) {
      if (heard.includes(step.expectNot)) return fail(`did not expect to hear "${step.expectNot}"`);
    } else if ('expectHandoff' in step) {
      const to = last.handoff?.queue ?? last.handoff?.agent;
      if (to !== step.expectHandoff) return fail(`expected a hand-off to ${step.expectHandoff}, got ${to ?? 'none'}`);
    } else if ('expectHangup' in step) {
      if (!last.hungUp) return fail('expected the call to hang up');
    } else if ('expectWaiting' in step) {
      const got = last.gather?.input.join(' ');
      if (got !== step.expectWaiting) return fail(`expected to wait for ${step.expectWaiting}, waiting for ${got ?? 'nothing'}`);
    }
    if (last.status !== 200) return fail(`server answered HTTP ${last.status}`);
  }
  return { transcript };
}
