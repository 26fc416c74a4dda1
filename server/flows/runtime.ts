import { createActor, waitFor, type AnyActorRef, type AnyStateMachine, type Snapshot } from 'xstate';
import type { FlowDefinition, Gather, Handoff, Language } from './schema.ts';
import { RUNTIME_EVENTS } from './schema.ts';
import { buildMachine, type FlowMachineInput } from './machine.ts';
import type { FlowContext, FlowEvent, Implementations } from './implementations.ts';
import { interpretInput, type CallerInput } from './input.ts';

/** A published, immutable flow version as the runtime needs it. */
export interface FlowVersion {
  flowId: string;
  version: number;
  hash: string;
  definition: FlowDefinition;
}

/** The outcome of one turn: what to say, and whether to listen, hand off or hang up. */
export interface FlowTurn {
  /** The snapshot to persist with the call (JSON-serialisable). */
  persisted: unknown;
  state: string;
  lang: Language;
  /** States entered during this turn, in order. */
  entered: string[];
  event?: FlowEvent;
  say: string[];
  gather?: Gather;
  end?: { handoff?: Handoff; hangup?: boolean };
  /** Values the flow captured (e.g. a case number). */
  data: Record<string, string>;
}

/** Message states chained in one turn; more means a loop in the flow. */
const MAX_CHAIN = 20;

export class FlowError extends Error {}

/**
 * Runs flows one event at a time against a persisted snapshot, so any node can serve any
 * webhook and a restarted node continues every call. Machines are built once per version.
 */
export class FlowRuntime {
  private machines = new Map<string, AnyStateMachine>();

  constructor(
    private readonly impl: Implementations,
    private readonly actorTimeoutMs = 8000,
  ) {}

  machine(v: FlowVersion): AnyStateMachine {
    const key = `${v.flowId}@${v.version}:${v.hash}`;
    let m = this.machines.get(key);
    if (!m) {
      m = buildMachine(v.definition, this.impl);
      this.machines.set(key, m);
    }
    return m;
  }

  async start(v: FlowVersion, input: FlowMachineInput = {}): Promise<FlowTurn> {
    const actor = createActor(this.machine(v), { input });
    actor.start();
    return this.advance(v, actor, undefined, undefined);
  }

  /** Apply what the caller did in the current state. */
  async answer(v: FlowVersion, persisted: unknown, input: CallerInput): Promise<FlowTurn> {
    const actor = this.restore(v, persisted);
    const state = stateName(actor.getSnapshot());
    const def = v.definition.machine.states[state];
    if (!def) throw new FlowError(`snapshot is in unknown state ${state}`);
    const event = interpretInput(v.definition, def, input);
    return this.advance(v, actor, event, state);
  }

  /** Re-render the current state without changing it (a stale or replayed step). */
  async current(v: FlowVersion, persisted: unknown): Promise<FlowTurn> {
    const actor = this.restore(v, persisted);
    return this.advance(v, actor, undefined, undefined);
  }

  private restore(v: FlowVersion, persisted: unknown): AnyActorRef {
    const actor = createActor(this.machine(v), { snapshot: persisted as Snapshot<unknown> });
    actor.start();
    return actor;
  }

  private async advance(v: FlowVersion, actor: AnyActorRef, event: FlowEvent | undefined, before: string | undefined): Promise<FlowTurn> {
    const flow = v.definition;
    const say: string[] = [];
    const entered: string[] = [];
    // Every state the machine passes through this turn, including ones an actor's answer moved it out of.
    let last = before;
    const seen = actor.subscribe((snap) => {
      const n = stateName(snap);
      if (n !== last) {
        entered.push(n);
        last = n;
      }
    });
    try {
      if (event) actor.send(event);
      await this.settle(actor);
      let snap = actor.getSnapshot();
      let ctx = snap.context as FlowContext;
      let state = stateName(snap);
      if (before === undefined && entered.length === 0) entered.push(state);
      if (event && state === before && (event.type === RUNTIME_EVENTS.NO_INPUT || event.type === RUNTIME_EVENTS.INVALID)) {
        const msg = event.type === RUNTIME_EVENTS.NO_INPUT ? flow.messages.noInput : flow.messages.invalid;
        const text = msg?.[ctx.lang];
        if (text) say.push(text);
      }
      for (let i = 0; i <= MAX_CHAIN; i++) {
        const def = flow.machine.states[state];
        if (!def) throw new FlowError(`flow ${flow.id} entered unknown state ${state}`);
        const text = fillPrompt(def.say?.[ctx.lang], ctx.data);
        if (text) say.push(text);
        const turn = { persisted: undefined as unknown, state, lang: ctx.lang, entered, event, say, data: ctx.data };
        if (def.type === 'final') {
          return { ...turn, persisted: actor.getPersistedSnapshot(), end: { handoff: def.handoff, hangup: def.hangup } };
        }
        if (def.gather) return { ...turn, persisted: actor.getPersistedSnapshot(), gather: def.gather };
        if (i === MAX_CHAIN) break;
        actor.send({ type: RUNTIME_EVENTS.CONTINUE });
        await this.settle(actor);
        snap = actor.getSnapshot();
        ctx = snap.context as FlowContext;
        const next = stateName(snap);
        if (next === state) throw new FlowError(`flow ${flow.id} state ${state} did not move on ${RUNTIME_EVENTS.CONTINUE}`);
        state = next;
      }
      throw new FlowError(`flow ${flow.id} chained more than ${MAX_CHAIN} states without waiting for the caller`);
    } finally {
      seen.unsubscribe();
      actor.stop();
    }
  }

  /** Wait for invoked actors (e.g. a knowledge lookup) to finish before answering Twilio. */
  private async settle(actor: AnyActorRef): Promise<void> {
    const busy = (s: Snapshot<unknown> & { children?: Record<string, AnyActorRef> }) =>
      s.status === 'active' && Object.values(s.children ?? {}).some((c) => c.getSnapshot().status === 'active');
    if (!busy(actor.getSnapshot())) return;
    await waitFor(actor, (s) => !busy(s), { timeout: this.actorTimeoutMs });
  }
}

/** `{name}` in a prompt says the call's data value of that name (e.g. the answer found). */
export function fillPrompt(text: string | undefined, data: Record<string, string>): string | undefined {
  if (!text || !text.includes('{')) return text;
  const filled = text.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_, k: string) => data[k] ?? '').trim();
  return filled || undefined;
}

export function stateName(snap: Snapshot<unknown>): string {
  const value = (snap as unknown as { value: unknown }).value;
  return typeof value === 'string' ? value : Object.keys(value as object)[0] ?? '';
}
