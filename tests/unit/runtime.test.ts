import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { fromPromise } from 'xstate';
import { FlowRuntime, type FlowVersion, type FlowTurn } from '../../server/flows/runtime.ts';
import { parseFlowSource } from '../../server/flows/load.ts';
import { readFlowFile } from '../../server/flows/files.ts';
import { defaultImplementations as engineImplementations, type Implementations } from '../../server/flows/implementations.ts';
import { knowledgeImplementations } from '../../server/knowledge/actors.ts';
import { caseImplementations } from '../../server/cases/actors.ts';
import { createLogger } from '../../server/log.ts';

/** The flow engine's implementations plus the knowledge ones over a knowledge base that finds nothing. */
const emptyKnowledge = knowledgeImplementations({
  kb: { search: () => ({ hits: [], confidence: 0 }), get: () => undefined, englishFor: () => undefined } as never,
  answers: { record: async () => undefined } as never,
  sms: { send: async () => ({ ok: true }) },
  log: createLogger('silent'),
});
/** …and the case look-up over a store with no cases. */
const noCases = caseImplementations({ cases: { get: async () => undefined } as never, departments: {} as never, log: createLogger('silent') });
const defaultImplementations = (extra?: Partial<Implementations>): Implementations =>
  engineImplementations({
    actions: { ...emptyKnowledge.actions, ...noCases.actions, ...extra?.actions },
    guards: { ...emptyKnowledge.guards, ...noCases.guards, ...extra?.guards },
    actors: { ...emptyKnowledge.actors, ...noCases.actors, ...extra?.actors },
  });

const MAIN = path.resolve(import.meta.dirname, '../../flows/main.yaml');

function version(file: string, source: string, impl: Implementations, flowVersion = 1): FlowVersion {
  const r = parseFlowSource(file, source, impl);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return { flowId: r.flow.id, version: flowVersion, hash: r.hash, definition: r.flow };
}

const main = version(MAIN, readFlowFile(MAIN), defaultImplementations());
const S = main.definition.machine.states;
const M = main.definition.messages;
const say = (state: string, lang: 'zh-CN' | 'en-US') => {
  const t = S[state]?.say?.[lang];
  if (!t) throw new Error(`no ${lang} prompt in ${state}`);
  return t;
};

/** What a webhook stores between requests: plain JSON. */
const viaJson = (t: FlowTurn) => JSON.parse(JSON.stringify(t.persisted)) as unknown;

describe('FlowRuntime on the shipped main flow', () => {
  it('starts in the greeting with the Chinese prompt and waits for input', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    const t = await rt.start(main);
    expect(t.state).toBe('greeting');
    expect(t.lang).toBe('zh-CN');
    expect(t.say).toEqual([say('greeting', 'zh-CN')]);
    expect(t.gather).toEqual(S.greeting!.gather);
    expect(t.end).toBeUndefined();
    expect(t.entered).toEqual(['greeting']);
  });

  it('starts in English when the call asks for it', async () => {
    const t = await new FlowRuntime(defaultImplementations()).start(main, { lang: 'en-US' });
    expect(t.lang).toBe('en-US');
    expect(t.say).toEqual([say('greeting', 'en-US')]);
  });

  it('re-prompts twice on silence with the no-input apology, then hands off to the agent queue', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    let t = await rt.start(main);
    for (let i = 0; i < 2; i++) {
      t = await rt.answer(main, t.persisted, {});
      expect(t.event?.type).toBe('NO_INPUT');
      expect(t.state).toBe('greeting');
      expect(t.say).toEqual([M.noInput!['zh-CN'], say('greeting', 'zh-CN')]);
      expect(t.gather).toBeDefined();
      expect(t.end).toBeUndefined();
    }
    t = await rt.answer(main, t.persisted, {});
    expect(t.state).toBe('agent');
    expect(t.entered).toEqual(['agent']);
    expect(t.say).toEqual([say('agent', 'zh-CN')]);
    expect(t.end).toEqual({ handoff: { queue: 'general', transcribe: true }, hangup: undefined });
    expect(t.gather).toBeUndefined();
  });

  it('apologises with the invalid-input message for a wrong key', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    const t = await rt.answer(main, (await rt.start(main)).persisted, { digits: '7' });
    expect(t.event?.type).toBe('INVALID');
    expect(t.say).toEqual([M.invalid!['zh-CN'], say('greeting', 'zh-CN')]);
  });

  it('gives each state its own retries: silence in a sub-menu starts counting again', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    let t = await rt.start(main);
    t = await rt.answer(main, t.persisted, {});
    t = await rt.answer(main, t.persisted, {}); // two retries used in the greeting
    t = await rt.answer(main, t.persisted, { digits: '3' });
    expect(t.state).toBe('complaint');
    for (let i = 0; i < 2; i++) {
      t = await rt.answer(main, t.persisted, {});
      expect(t.state).toBe('complaint');
    }
    t = await rt.answer(main, t.persisted, {});
    expect(t.state).toBe('complaintAgent');
    expect(t.end?.handoff).toEqual({ queue: 'complaints', transcribe: true });
  });

  it('switches language with 9, and the language holds in later states', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    let t = await rt.start(main);
    t = await rt.answer(main, t.persisted, { digits: '9' });
    expect(t.state).toBe('greeting');
    expect(t.lang).toBe('en-US');
    expect(t.say).toEqual([say('greeting', 'en-US')]);

    t = await rt.answer(main, t.persisted, { digits: '1' });
    expect(t.state).toBe('policy');
    expect(t.lang).toBe('en-US');
    expect(t.say).toEqual([say('policy', 'en-US')]);

    t = await rt.answer(main, t.persisted, {});
    expect(t.say).toEqual([M.noInput!['en-US'], say('policy', 'en-US')]);

    t = await rt.answer(main, t.persisted, { digits: '*' });
    expect(t.state).toBe('greeting');
    expect(t.say).toEqual([say('greeting', 'en-US')]);

    // ...and 9 again switches back.
    t = await rt.answer(main, t.persisted, { digits: '9' });
    expect(t.lang).toBe('zh-CN');
    expect(t.say).toEqual([say('greeting', 'zh-CN')]);
  });

  it('chains an invoked lookup and message states in one turn: SPEECH → lookup → notFound → policyAgent', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    const start = await rt.start(main);
    const t = await rt.answer(main, start.persisted, { speech: '社保卡丢了怎么办？' });
    expect(t.event).toMatchObject({ type: 'SPEECH', speech: '社保卡丢了怎么办？' });
    expect(t.entered).toEqual(['lookup', 'notFound', 'policyAgent']);
    expect(t.state).toBe('policyAgent');
    expect(t.say).toEqual([say('notFound', 'zh-CN'), say('policyAgent', 'zh-CN')]);
    expect(t.end).toEqual({ handoff: { queue: 'policy', transcribe: true }, hangup: undefined });
    expect(t.data).toEqual({ question: '社保卡丢了怎么办？' });
  });

  it('asks once more for a mistyped case number, then hands a case it cannot find to an agent', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    let t = await rt.start(main);
    t = await rt.answer(main, t.persisted, { digits: '2' });
    t = await rt.answer(main, t.persisted, { digits: '20240001' });
    expect(t.entered).toEqual(['caseLookup', 'caseNumberTypo']);
    expect(t.data).toEqual({ caseNumber: '20240001' });
    t = await rt.answer(main, t.persisted, { digits: '26112300016' });
    expect(t.entered).toEqual(['caseLookupAgain', 'caseAgent', 'agent']);
    expect(t.end?.handoff).toEqual({ queue: 'general', transcribe: true });
  });

  it('continues from a snapshot that went through JSON, keeping language and retries', async () => {
    const rt = new FlowRuntime(defaultImplementations());
    let t = await rt.start(main);
    t = await rt.answer(main, viaJson(t), { digits: '9' });
    t = await rt.answer(main, viaJson(t), {});
    t = await rt.answer(main, viaJson(t), {});
    expect(t.state).toBe('greeting');
    expect(t.lang).toBe('en-US');

    // A new runtime (another node) picks up the stored JSON: the third silence is the limit.
    const other = new FlowRuntime(defaultImplementations());
    const stored = JSON.stringify(t.persisted);
    const cur = await other.current(main, JSON.parse(stored));
    expect(cur.state).toBe('greeting');
    expect(cur.say).toEqual([say('greeting', 'en-US')]);
    const last = await other.answer(main, JSON.parse(stored), {});
    expect(last.state).toBe('agent');
    expect(last.say).toEqual([say('agent', 'en-US')]);
  });
});

describe('FlowRuntime with an invoked actor', () => {
  const LOOKUP_FLOW = `id: lookup
title: Lookup
channel: voice
languages: [en-US]
defaultLanguage: en-US
human: { digit: "0", words: { en-US: [agent] } }
machine:
  initial: menu
  on: { AGENT: agent }
  states:
    menu:
      say: { en-US: Key your case number. }
      gather:
        input: [dtmf]
        finishOnKey: "#"
      on:
        DIGITS: { target: lookup, actions: { type: remember, params: { key: caseNumber } } }
        NO_INPUT: agent
        INVALID: agent
    lookup:
      say: { en-US: One moment. }
      invoke: { src: lookupCase, input: { source: cases }, onDone: found, onError: failed }
    found:
      type: final
      say: { en-US: Your case is open. }
      hangup: true
    failed:
      type: final
      say: { en-US: Let me get an agent. }
      handoff: { queue: general }
    agent:
      type: final
      handoff: { queue: general }
`;

  function withActor(run: (input: unknown) => Promise<string>) {
    const impl = defaultImplementations({ actors: { lookupCase: fromPromise(async ({ input }) => run(input)) } });
    return { impl, v: version('lookup.yaml', LOOKUP_FLOW, impl) };
  }

  it('awaits the actor before the turn returns', async () => {
    const calls: unknown[] = [];
    let finished = false;
    const { impl, v } = withActor(async (input) => {
      calls.push(input);
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
      return 'open';
    });
    const rt = new FlowRuntime(impl);
    const t0 = await rt.start(v);
    const t = await rt.answer(v, t0.persisted, { digits: '20240001' });
    expect(finished).toBe(true);
    // Actors get their static params and what the call knows so far.
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ params: { source: 'cases' }, data: { caseNumber: '20240001' } });
    expect(t.state).toBe('found');
    expect(t.entered.at(-1)).toBe('found');
    expect(t.entered.length).toBe(2); // the state that invoked the actor, then where its answer led
    expect(t.say).toEqual(['Your case is open.']);
    expect(t.end).toEqual({ handoff: undefined, hangup: true });
    expect(t.data).toEqual({ caseNumber: '20240001' });
  });

  it('follows onError when the actor fails', async () => {
    const { impl, v } = withActor(async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error('cases service down');
    });
    const rt = new FlowRuntime(impl);
    const t = await rt.answer(v, (await rt.start(v)).persisted, { digits: '1' });
    expect(t.state).toBe('failed');
    expect(t.end?.handoff).toEqual({ queue: 'general' });
  });

  it('gives up on an actor slower than the timeout instead of hanging the webhook', async () => {
    const { impl, v } = withActor(() => new Promise(() => {}));
    const rt = new FlowRuntime(impl, 50);
    const t0 = await rt.start(v);
    const began = Date.now();
    await expect(rt.answer(v, t0.persisted, { digits: '1' })).rejects.toThrow();
    expect(Date.now() - began).toBeLessThan(2000);
  });
});
