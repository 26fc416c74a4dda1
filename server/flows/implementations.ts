import { assign, type AnyActorLogic } from 'xstate';
import type { Language } from './schema.ts';

/** What a flow's machine carries between webhooks (persisted with the snapshot). */
export interface FlowContext {
  lang: Language;
  /** Consecutive no-input/invalid answers in the current state. */
  retries: number;
  maxRetries: number;
  /** Values captured with `remember`, e.g. a case number keyed in; prompts can say them as {name}. */
  data: Record<string, string>;
  /** Who is calling, for actors that act on the caller's behalf (send an SMS, record an answer). */
  caller?: { sid: string; from: string; channel: 'voice' | 'sms' };
}

export interface FlowEvent {
  type: string;
  digits?: string;
  speech?: string;
  confidence?: number;
  output?: unknown;
}

/** What an invoked actor receives (see buildMachine): its static params from the flow file and what the call knows so far. */
export interface ActorInput {
  params: Record<string, unknown>;
  data: Record<string, string>;
  lang: Language;
  caller?: FlowContext['caller'];
}

type ActionImpl = (args: { context: FlowContext; event: FlowEvent }, params: Record<string, unknown> | undefined) => void;
type GuardImpl = (args: { context: FlowContext; event: FlowEvent }, params: Record<string, unknown> | undefined) => boolean;

/**
 * The behaviour flows may name. Flow files reference these by name; a flow that names
 * anything missing here does not validate. Capabilities (knowledge, cases) add their own
 * actors when they are wired in the composition root.
 */
export interface Implementations {
  actions: Record<string, unknown>;
  guards: Record<string, GuardImpl>;
  actors: Record<string, AnyActorLogic>;
}

const actions = {
  countRetry: assign({ retries: ({ context }: { context: FlowContext }) => context.retries + 1 }),
  resetRetries: assign({ retries: 0 }),
  setLanguage: assign((_: unknown, params: { lang?: Language } | undefined) => (params?.lang ? { lang: params.lang } : {})),
  /** Keep what the caller keyed or said under `params.key` (e.g. a case number). */
  remember: assign(({ context, event }: { context: FlowContext; event: FlowEvent }, params: { key?: string } | undefined) => {
    const value = event.digits ?? event.speech;
    if (!params?.key || value === undefined) return {};
    return { data: { ...context.data, [params.key]: value.slice(0, 200) } };
  }),
} satisfies Record<string, unknown>;

const guards: Record<string, GuardImpl> = {
  retriesLeft: ({ context }) => context.retries < context.maxRetries,
  isLanguage: ({ context }, params) => context.lang === params?.lang,
  /** Digits of a given length, e.g. `{ type: digitsLength, params: { min: 8, max: 12 } }`. */
  digitsLength: ({ event }, params) => {
    const n = event.digits?.length ?? 0;
    return n >= Number(params?.min ?? 1) && n <= Number(params?.max ?? 32);
  },
};

export function defaultImplementations(extra?: Partial<Implementations>): Implementations {
  return {
    actions: { ...actions, ...(extra?.actions ?? {}) },
    guards: { ...guards, ...(extra?.guards ?? {}) },
    actors: { ...(extra?.actors ?? {}) },
  };
}

export type { ActionImpl };
