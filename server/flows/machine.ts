import { setup, type AnyStateMachine } from 'xstate';
import type { FlowDefinition, Transitions, ImplRef } from './schema.ts';
import type { FlowContext, FlowEvent, Implementations } from './implementations.ts';

function toRef(r: ImplRef): string | { type: string; params?: Record<string, unknown> } {
  return typeof r === 'string' ? r : { type: r.type, params: r.params };
}

function toActions(a: ImplRef | ImplRef[] | undefined) {
  if (a === undefined) return undefined;
  return (Array.isArray(a) ? a : [a]).map(toRef);
}

/** Flow files name sibling states plainly; from the root they are children, hence the dot. */
function toTransitions(t: Transitions, fromRoot: boolean) {
  const one = (x: Transitions extends infer U ? (U extends readonly (infer V)[] ? V : U) : never) => {
    const fix = (target?: string) => (target === undefined ? undefined : fromRoot ? `.${target}` : target);
    if (typeof x === 'string') return { target: fix(x) };
    return { target: fix(x.target), guard: x.guard ? toRef(x.guard) : undefined, actions: toActions(x.actions) };
  };
  return Array.isArray(t) ? t.map(one) : one(t as never);
}

function mapOn(on: Record<string, Transitions> | undefined, fromRoot: boolean) {
  if (!on) return undefined;
  return Object.fromEntries(Object.entries(on).map(([e, t]) => [e, toTransitions(t, fromRoot)]));
}

export interface FlowMachineInput {
  lang?: FlowContext['lang'];
  caller?: FlowContext['caller'];
  /** What the call starts knowing, e.g. the case an outbound callback call is about. */
  data?: Record<string, string>;
}

/**
 * The flow file becomes the machine config; the server's implementations are bound once
 * through `setup()`. Every state resets the retry counter on entry — a targeted
 * self-transition does not re-enter in XState v5, so retries count within one state only.
 */
export function buildMachine(flow: FlowDefinition, impl: Implementations): AnyStateMachine {
  const states = Object.fromEntries(
    Object.entries(flow.machine.states).map(([name, s]) => [
      name,
      {
        description: s.description,
        type: s.type,
        entry: ['resetRetries', ...(toActions(s.entry) ?? [])],
        exit: toActions(s.exit),
        on: mapOn(s.on, false),
        invoke: s.invoke
          ? {
              // Named after the state, so its done/error events are predictable (xstate.done.actor.<state>).
              id: name,
              src: s.invoke.src,
              // Every actor gets its static params plus what the call knows so far.
              input: ({ context }: { context: FlowContext }) => ({ params: s.invoke!.input ?? {}, data: context.data, lang: context.lang, caller: context.caller }),
              onDone: toTransitions(s.invoke.onDone, false),
              onError: toTransitions(s.invoke.onError, false),
            }
          : undefined,
      },
    ]),
  );
  const machineSetup = setup({
    types: {} as { context: FlowContext; events: FlowEvent; input: FlowMachineInput | undefined },
    actions: impl.actions as never,
    guards: impl.guards as never,
    actors: impl.actors as never,
  });
  return machineSetup.createMachine({
    id: flow.id,
    initial: flow.machine.initial,
    context: ({ input }) => ({
      lang: input?.lang && flow.languages.includes(input.lang) ? input.lang : flow.defaultLanguage,
      retries: 0,
      maxRetries: flow.maxRetries,
      data: { ...input?.data },
      ...(input?.caller ? { caller: input.caller } : {}),
    }),
    on: mapOn(flow.machine.on, true) as never,
    states: states as never,
  }) as unknown as AnyStateMachine;
}
