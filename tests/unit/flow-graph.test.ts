import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { getAdjacencyMap } from '@xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { listFlowFiles, readFlowFile } from '../../server/flows/files.ts';
import { parseFlowSource } from '../../server/flows/load.ts';
import { buildMachine } from '../../server/flows/machine.ts';
import type { FlowEvent } from '../../server/flows/implementations.ts';
import { flowImplementations } from '../../server/wiring.ts';
import { FlowDefinition, type FlowDefinitionInput, RUNTIME_EVENTS } from '../../server/flows/schema.ts';
import { stateName } from '../../server/flows/runtime.ts';

const FLOWS_DIR = path.resolve(import.meta.dirname, '../../flows');

/** Every event a flow names, plus what the runtime itself sends (with a payload where one matters). */
function eventsOf(flow: FlowDefinition): FlowEvent[] {
  const types = new Set<string>(Object.keys(flow.machine.on ?? {}));
  types.add(flow.human.event);
  for (const s of Object.values(flow.machine.states)) {
    for (const e of Object.keys(s.on ?? {})) types.add(e);
    for (const o of s.gather?.options ?? []) types.add(o.event);
  }
  for (const e of Object.values(RUNTIME_EVENTS)) types.add(e);
  const plain = [...types].sort().flatMap((type): FlowEvent[] => {
    if (type === RUNTIME_EVENTS.SPEECH) return [{ type, speech: '社保卡丢了怎么办' }];
    if (type === RUNTIME_EVENTS.DIGITS) return [{ type, digits: '20240001' }];
    // An option's words may come with more in the text: "评价 26112300016 2" carries a case and a rating.
    return [{ type }, { type, speech: '评价 26112300016 2' }];
  });
  return [...plain, ...Object.keys(flow.machine.states).flatMap((name) => actorEvents(flow, name))];
}

/** What an invoked actor can answer with: each knowledge decision, a sent or failed text, each case look-up result, an error. */
const ACTOR_OUTPUTS: unknown[] = [
  ...(['found', 'pin', 'typo', 'notFound'] as const).map((result) => ({ result, text: result === 'found' ? 'case status' : '' })),
  { result: 'rated' },
  { result: 'already' },
  { decision: 'answer', confidence: 0.9, ids: ['a', 'b'], texts: ['answer a', 'answer b'] },
  { decision: 'rephrase', confidence: 0.3, ids: ['a'], texts: ['answer a'] },
  { decision: 'human', confidence: 0, ids: [], texts: [] },
  { ok: true },
  { ok: false },
];

function actorEvents(flow: FlowDefinition, state: string): FlowEvent[] {
  if (!flow.machine.states[state]?.invoke) return [];
  return [
    ...ACTOR_OUTPUTS.map((output) => ({ type: `xstate.done.actor.${state}`, output })),
    { type: `xstate.error.actor.${state}`, error: new Error('actor failed') } as FlowEvent,
  ];
}

interface Snap {
  status: string;
  value: unknown;
  context: unknown;
}

interface Analysis {
  /** Flow state names that occur in some reachable snapshot. */
  statesSeen: Set<string>;
  /** Names of the final states reached. */
  finalsSeen: Set<string>;
  /** Reachable snapshots (by state name) from which no final snapshot can be reached. */
  traps: string[];
  snapshots: number;
}

/**
 * Explore every snapshot reachable with `events`, then walk the edges backwards from the
 * final snapshots: whatever that walk does not reach is a trap (a dead end or a dead cycle).
 */
function analyse(machine: AnyStateMachine, events: FlowEvent[] | ((s: Snap) => FlowEvent[])): Analysis {
  // Two snapshots that no guard can tell apart behave alike: what a caller said or keyed is
  // kept as data but decides nothing by itself, so only what guards read is part of the key.
  const serialize = (s: Snap) => {
    const c = s.context as { lang?: string; retries?: number; data?: Record<string, string> };
    const answers = c.data?.answers ? (JSON.parse(c.data.answers) as unknown[]).length : 0;
    return JSON.stringify({ value: s.value, status: s.status, lang: c.lang, retries: c.retries, answerIndex: c.data?.answerIndex, answers });
  };
  const adj = getAdjacencyMap(machine, { events: events as never, limit: 200_000, serializeState: serialize as never });
  const keys = Object.keys(adj) as Array<keyof typeof adj>;
  const reverse = new Map<string, Set<string>>();
  const keyOf = new Map<string, string>();
  for (const k of keys) keyOf.set(serialize(adj[k]!.state as Snap), k);
  for (const k of keys) {
    for (const { state: next } of Object.values(adj[k]!.transitions)) {
      const nk = keyOf.get(serialize(next as Snap));
      if (nk === undefined) throw new Error('adjacency map has an edge to an unexplored snapshot');
      if (!reverse.has(nk)) reverse.set(nk, new Set());
      reverse.get(nk)!.add(k);
    }
  }
  const isFinal = (k: string) => (adj[k as keyof typeof adj]!.state as Snap).status === 'done';
  const canFinish = new Set(keys.filter(isFinal) as string[]);
  const queue = [...canFinish];
  while (queue.length) {
    const k = queue.shift()!;
    for (const prev of reverse.get(k) ?? []) if (!canFinish.has(prev)) (canFinish.add(prev), queue.push(prev));
  }
  const name = (k: string) => stateName(adj[k as keyof typeof adj]!.state as never);
  return {
    statesSeen: new Set(keys.map((k) => name(k))),
    finalsSeen: new Set((keys as string[]).filter(isFinal).map(name)),
    traps: [...new Set((keys as string[]).filter((k) => !canFinish.has(k)).map(name))].sort(),
    snapshots: keys.length,
  };
}

type Model = 'every event in every state' | 'events as the runtime delivers them';
const MODELS: Model[] = ['every event in every state', 'events as the runtime delivers them'];

/**
 * The runtime only passes the caller's answer to a state that gathers; a message state only
 * ever gets CONTINUE (runtime.ts advance), so a root transition does not rescue it.
 */
function eventsFor(flow: FlowDefinition, model: Model): FlowEvent[] | ((s: Snap) => FlowEvent[]) {
  const all = eventsOf(flow);
  if (model === 'every event in every state') return all;
  return (snap) => {
    const name = stateName(snap as never);
    const state = flow.machine.states[name];
    if (state?.gather) return all;
    if (state?.invoke) return actorEvents(flow, name);
    return [{ type: RUNTIME_EVENTS.CONTINUE }];
  };
}

/** (c): a reached final state ends the call in exactly one way. */
function badFinals(flow: FlowDefinition, finals: Iterable<string>): string[] {
  return [...finals].filter((n) => {
    const s = flow.machine.states[n];
    return !s || s.type !== 'final' || !!s.handoff === !!s.hangup;
  });
}

const shipped = listFlowFiles(FLOWS_DIR).map((file) => {
  const r = parseFlowSource(file, readFlowFile(file), flowImplementations());
  if (!r.ok) throw new Error(`${file} does not validate: ${JSON.stringify(r.issues)}`);
  return { name: path.basename(file), flow: r.flow };
});

describe('shipped flows as state graphs', () => {
  it('covers every shipped flow', () => {
    expect(shipped.map((s) => s.name)).toEqual(expect.arrayContaining(['callback.yaml', 'main.yaml', 'sms.yaml']));
  });

  describe.each(shipped.flatMap((s) => MODELS.map((m) => [s.name, m, s.flow] as const)))('%s, %s', (_name, model, flow) => {
    const machine = buildMachine(flow, flowImplementations());
    const events = eventsOf(flow);
    const result = analyse(machine, eventsFor(flow, model));

    it('supplies the events the flow names and the runtime sends', () => {
      const types = events.map((e) => e.type);
      for (const e of ['NO_INPUT', 'INVALID', 'SPEECH', 'DIGITS', 'CONTINUE', flow.human.event, ...Object.keys(flow.machine.states.greeting?.on ?? {})]) expect(types).toContain(e);
      expect(result.snapshots).toBeGreaterThan(Object.keys(flow.machine.states).length);
    });

    it('(a) reaches every state of the flow', () => {
      expect([...result.statesSeen].sort()).toEqual(Object.keys(flow.machine.states).sort());
    });

    it('(b) can reach a final state from every reachable snapshot', () => {
      expect(result.traps).toEqual([]);
      expect(result.finalsSeen.size).toBeGreaterThan(0);
    });

    it('(c) ends every reachable final state in a handoff or a hangup', () => {
      const finals = Object.entries(flow.machine.states).filter(([, s]) => s.type === 'final').map(([n]) => n);
      expect([...result.finalsSeen].sort()).toEqual(finals.sort());
      expect(badFinals(flow, result.finalsSeen)).toEqual([]);
    });

    it('reaches the human handoff from the initial state with the human event alone', () => {
      const adj = getAdjacencyMap(machine, { events: [{ type: flow.human.event }] });
      const finals = Object.values(adj).filter((v) => (v.state as Snap).status === 'done');
      expect(finals).toHaveLength(1);
      const handoff = flow.machine.states[stateName(finals[0]!.state as never)];
      expect(handoff?.handoff).toBeDefined();
    });
  });
});

describe('the checker itself', () => {
  const base = (states: FlowDefinitionInput['machine']['states'], rootOn?: Record<string, string>): FlowDefinition =>
    FlowDefinition.parse({
      id: 'broken',
      title: 'Broken',
      channel: 'voice',
      languages: ['en-US'],
      defaultLanguage: 'en-US',
      human: { digit: '0', words: { 'en-US': ['agent'] } },
      machine: { initial: 'menu', on: rootOn, states },
    } satisfies FlowDefinitionInput);

  const menu = (on: Record<string, string>) => ({
    say: { 'en-US': 'Press 1.' },
    gather: { options: [{ digit: '1', event: 'ONE' }] },
    on: { AGENT: 'agent', ...on },
  });
  const agent = { type: 'final' as const, handoff: { queue: 'general' } };

  const loop = {
    loopA: { say: { 'en-US': 'A' }, on: { CONTINUE: 'loopB' } },
    loopB: { say: { 'en-US': 'B' }, on: { CONTINUE: 'loopA' } },
  };

  it.each(MODELS)('finds a cycle of message states with no exit (%s)', (model) => {
    const flow = base({ menu: menu({ ONE: 'loopA' }), ...loop, agent });
    const r = analyse(buildMachine(flow, flowImplementations()), eventsFor(flow, model));
    expect(r.traps).toEqual(['loopA', 'loopB']);
    expect(r.statesSeen).toEqual(new Set(['menu', 'loopA', 'loopB', 'agent']));
  });

  it('still finds that cycle when a root AGENT transition would formally leave it', () => {
    // The machine accepts AGENT in loopA, but the runtime never delivers it there.
    const flow = base({ menu: menu({ ONE: 'loopA' }), ...loop, agent }, { AGENT: 'agent' });
    const machine = buildMachine(flow, flowImplementations());
    expect(analyse(machine, eventsFor(flow, 'every event in every state')).traps).toEqual([]);
    expect(analyse(machine, eventsFor(flow, 'events as the runtime delivers them')).traps).toEqual(['loopA', 'loopB']);
  });

  it('finds a state no event reaches', () => {
    const flow = base({
      menu: menu({ ONE: 'agent' }),
      island: { say: { 'en-US': 'never' }, on: { CONTINUE: 'agent' } },
      agent,
    });
    const r = analyse(buildMachine(flow, flowImplementations()), eventsOf(flow));
    expect(r.statesSeen).toEqual(new Set(['menu', 'agent']));
    expect(r.statesSeen.has('island')).toBe(false);
    expect(r.traps).toEqual([]);
  });

  it('finds a final state that neither hands off nor hangs up', () => {
    const flow = base({ menu: menu({ ONE: 'limbo' }), limbo: { type: 'final' }, agent });
    const r = analyse(buildMachine(flow, flowImplementations()), eventsOf(flow));
    expect([...r.finalsSeen].sort()).toEqual(['agent', 'limbo']);
    expect(badFinals(flow, r.finalsSeen)).toEqual(['limbo']);
  });

  it('does not call a flow with a working exit a trap', () => {
    const flow = base({
      menu: menu({ ONE: 'loopA' }),
      loopA: { say: { 'en-US': 'A' }, on: { CONTINUE: 'loopB' } },
      loopB: { say: { 'en-US': 'B' }, on: { CONTINUE: 'agent' } },
      agent,
    });
    for (const model of MODELS) expect(analyse(buildMachine(flow, flowImplementations()), eventsFor(flow, model)).traps).toEqual([]);
  });
});
