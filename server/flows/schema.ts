import { z } from 'zod';

/**
 * The flow file format. A flow is data owned by ops: an XState machine config that can be
 * serialised (actions, guards and actors referenced by name) plus, per state, what the
 * caller hears or reads and which input is expected. The server binds the names with
 * XState's `setup()`; see implementations.ts.
 */

export const LANGUAGES = ['zh-CN', 'en-US'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

const EventName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'event names are UPPER_SNAKE_CASE, e.g. POLICY or NO_INPUT');
const StateName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'state names are identifiers, e.g. mainMenu');
const ImplName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'implementation names are identifiers');

/** Text per language. Which languages must be present is checked against the flow's `languages`. */
export const Localized = z.partialRecord(Language, z.string().trim().min(1, 'prompt text is empty'));
export type Localized = z.infer<typeof Localized>;
const LocalizedWords = z.partialRecord(Language, z.array(z.string().trim().min(1)).min(1));

const ParamValue = z.union([z.string(), z.number(), z.boolean()]);
export const ImplRef = z.union([
  ImplName,
  z.strictObject({ type: ImplName, params: z.record(z.string(), ParamValue).optional() }),
]);
export type ImplRef = z.infer<typeof ImplRef>;
const Actions = z.union([ImplRef, z.array(ImplRef)]);

export const Transition = z.union([
  z.string().min(1),
  z.strictObject({
    target: z.string().min(1).optional(),
    guard: ImplRef.optional(),
    actions: Actions.optional(),
    description: z.string().optional(),
  }),
]);
export type Transition = z.infer<typeof Transition>;
const Transitions = z.union([Transition, z.array(Transition).min(1)]);
export type Transitions = z.infer<typeof Transitions>;

export const MenuOption = z
  .strictObject({
    digit: z.string().regex(/^[0-9*#]$/, 'a single key: 0-9, * or #').optional(),
    words: LocalizedWords.optional(),
    event: EventName,
  })
  .refine((o) => o.digit !== undefined || o.words !== undefined, 'an option needs a digit, words, or both');

export const Gather = z.strictObject({
  input: z.array(z.enum(['dtmf', 'speech'])).min(1).default(['dtmf', 'speech']),
  /** Exactly this many digits ends input early (a menu: 1; a case number: its length). */
  numDigits: z.number().int().min(1).max(32).optional(),
  finishOnKey: z.string().regex(/^[0-9*#]?$/).optional(),
  /** Seconds of silence before Twilio gives up and we receive NO_INPUT. */
  timeout: z.number().int().min(1).max(60).default(6),
  speechTimeout: z.union([z.literal('auto'), z.number().int().min(1).max(60)]).default('auto'),
  hints: LocalizedWords.optional(),
  options: z.array(MenuOption).default([]),
});
export type Gather = z.infer<typeof Gather>;

/** `transcribe`: start Twilio's real-time transcription for the agent's panel as the call heads for a human. */
export const Handoff = z.union([
  z.strictObject({ queue: z.string().min(1), transcribe: z.boolean().optional() }),
  z.strictObject({ agent: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'a Twilio client identity'), transcribe: z.boolean().optional() }),
]);
export type Handoff = z.infer<typeof Handoff>;

export const FlowState = z.strictObject({
  description: z.string().optional(),
  /** What the caller hears (voice) or reads (SMS) on entering this state. */
  say: Localized.optional(),
  /** Waits for caller input. */
  gather: Gather.optional(),
  on: z.record(EventName, Transitions).optional(),
  entry: Actions.optional(),
  exit: Actions.optional(),
  invoke: z
    .strictObject({
      src: ImplName,
      input: z.record(z.string(), ParamValue).optional(),
      onDone: Transitions,
      onError: Transitions,
    })
    .optional(),
  type: z.literal('final').optional(),
  /** What the caller enters here (a PIN) is neither shown to agents nor kept with the call's live events. */
  private: z.literal(true).optional(),
  /** The caller has been answered here (a knowledge answer, a case's status): one who leaves after it without asking for a person was answered by the menu. */
  answers: z.literal(true).optional(),
  /** Final states end in exactly one of these. */
  handoff: Handoff.optional(),
  hangup: z.literal(true).optional(),
});
export type FlowState = z.infer<typeof FlowState>;

export const SpeechSettings = z.strictObject({
  /** `<Say voice>`: a Twilio voice, e.g. Google.cmn-CN-Standard-A or Polly.Joanna-Neural. */
  voice: z.string().min(1),
  /** `<Say language>`: the TTS language of that voice, e.g. cmn-CN. */
  sayLanguage: z.string().min(2),
  /** `<Gather language>`: the speech-recognition language, e.g. cmn-Hans-CN. A different list from Say's. */
  recognition: z.string().min(2),
});
export type SpeechSettings = z.infer<typeof SpeechSettings>;

export const FlowDefinition = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'flow ids are kebab-case, e.g. main'),
  title: z.string().min(1),
  channel: z.enum(['voice', 'sms']),
  languages: z.array(Language).min(1),
  defaultLanguage: Language,
  /** Per-language voice and recognition settings; built-in defaults apply where absent. */
  speech: z.partialRecord(Language, SpeechSettings).optional(),
  /** The route to a human that every waiting state must offer (GB/T 33358: no menu traps). */
  human: z.strictObject({
    digit: z.string().regex(/^[0-9*#]$/),
    words: LocalizedWords,
    event: EventName.default('AGENT'),
  }),
  /** How many no-input or invalid answers a state tolerates before the caller goes to a human. */
  maxRetries: z.number().int().min(0).max(5).default(2),
  messages: z
    .strictObject({
      noInput: Localized.optional(),
      invalid: Localized.optional(),
    })
    .default({}),
  machine: z.strictObject({
    initial: StateName,
    on: z.record(EventName, Transitions).optional(),
    states: z.record(StateName, FlowState).refine((s) => Object.keys(s).length > 0, 'a flow needs at least one state'),
  }),
});
export type FlowDefinition = z.infer<typeof FlowDefinition>;
export type FlowDefinitionInput = z.input<typeof FlowDefinition>;

/** JSON Schema for editors (`npx hotline flows schema`). */
export function flowJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(FlowDefinition, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Events the runtime itself sends, beyond the options a flow declares. */
export const RUNTIME_EVENTS = {
  NO_INPUT: 'NO_INPUT',
  INVALID: 'INVALID',
  /** Free speech that matched no option; the state may route it (e.g. a spoken question). */
  SPEECH: 'SPEECH',
  /** A full string of digits (e.g. a case number) when the state declares no options. */
  DIGITS: 'DIGITS',
  /** A state with a prompt but no input moves on with this after speaking. */
  CONTINUE: 'CONTINUE',
} as const;

/** Whether a caller who went through these states was answered on the way (a state marked `answers`). */
export function answeredIn(def: FlowDefinition, path: readonly string[]): boolean {
  return path.some((s) => def.machine.states[s]?.answers === true);
}
