import type { FlowDefinition, FlowState, ImplRef, Transition, Transitions, Localized } from './schema.ts';
import { RUNTIME_EVENTS } from './schema.ts';
import { checkSpeechSettings } from './speech.ts';
import type { Implementations } from './implementations.ts';

export type { Implementations } from './implementations.ts';

/** A rule broken by a schema-valid flow; `path` points into the file for the line number. */
export interface FlowProblem {
  path: PropertyKey[];
  state?: string;
  message: string;
}

interface Branch {
  target?: string;
  guard?: string;
  actions: string[];
  path: PropertyKey[];
}

const refName = (r: ImplRef): string => (typeof r === 'string' ? r : r.type);

export function branches(t: Transitions | undefined, path: PropertyKey[]): Branch[] {
  if (t === undefined) return [];
  const list: Transition[] = Array.isArray(t) ? t : [t];
  return list.map((x, i) => {
    const p = Array.isArray(t) ? [...path, i] : path;
    if (typeof x === 'string') return { target: x, actions: [], path: p };
    const acts = x.actions === undefined ? [] : Array.isArray(x.actions) ? x.actions : [x.actions];
    return { target: x.target, guard: x.guard ? refName(x.guard) : undefined, actions: acts.map(refName), path: p };
  });
}

export const isHandoff = (s: FlowState | undefined): boolean => !!s && s.type === 'final' && !!s.handoff;

/**
 * The rules that make a flow safe to put in front of callers. Each returns problems rather
 * than throwing, so an editor sees every mistake in one run.
 */
export function checkFlow(flow: FlowDefinition, impl: Implementations): FlowProblem[] {
  const out: FlowProblem[] = [];
  const states = flow.machine.states;
  const names = Object.keys(states);
  const sp = (name: string, ...rest: PropertyKey[]): PropertyKey[] => ['machine', 'states', name, ...rest];
  const add = (path: PropertyKey[], message: string, state?: string) => out.push({ path, message, state });

  if (!flow.languages.includes(flow.defaultLanguage)) {
    add(['defaultLanguage'], `defaultLanguage ${flow.defaultLanguage} is not one of languages [${flow.languages.join(', ')}]`);
  }
  if (!states[flow.machine.initial]) add(['machine', 'initial'], `initial state "${flow.machine.initial}" does not exist`);

  // Languages: every text the caller may hear or read exists in every declared language.
  const needAll = (text: Localized | Partial<Record<string, string[]>> | undefined, path: PropertyKey[], what: string, state?: string) => {
    if (!text) return;
    for (const lang of flow.languages) {
      if (!(lang in text)) add(path, `${what} has no ${lang} text (the flow declares languages [${flow.languages.join(', ')}])`, state);
    }
  };
  needAll(flow.human.words, ['human', 'words'], 'human.words');
  needAll(flow.messages.noInput, ['messages', 'noInput'], 'messages.noInput');
  needAll(flow.messages.invalid, ['messages', 'invalid'], 'messages.invalid');
  if (flow.channel === 'voice') {
    for (const lang of flow.languages) {
      const s = flow.speech?.[lang];
      const why = s && checkSpeechSettings(lang, s);
      if (why) add(['speech', lang], why);
    }
  }

  // Names: everything referenced is implemented by the server.
  const checkRef = (kind: 'actions' | 'guards' | 'actors', name: string, path: PropertyKey[], state?: string) => {
    if (!(name in impl[kind])) {
      const known = Object.keys(impl[kind]);
      add(path, `${kind.slice(0, -1)} "${name}" is not implemented by the server (known: ${known.join(', ') || 'none'})`, state);
    }
  };
  const allBranches: Array<{ from?: string; b: Branch; event: string }> = [];
  const collect = (on: Record<string, Transitions> | undefined, base: PropertyKey[], from?: string) => {
    for (const [event, t] of Object.entries(on ?? {})) {
      for (const b of branches(t, [...base, event])) allBranches.push({ from, b, event });
    }
  };
  collect(flow.machine.on, ['machine', 'on']);
  for (const name of names) {
    const s = states[name]!;
    collect(s.on, sp(name, 'on'), name);
    if (s.invoke) {
      checkRef('actors', s.invoke.src, sp(name, 'invoke', 'src'), name);
      for (const key of ['onDone', 'onError'] as const) {
        for (const b of branches(s.invoke[key], sp(name, 'invoke', key))) allBranches.push({ from: name, b, event: key });
      }
    }
    for (const key of ['entry', 'exit'] as const) {
      const a = s[key];
      const list = a === undefined ? [] : Array.isArray(a) ? a : [a];
      list.forEach((r, i) => checkRef('actions', refName(r), sp(name, key, ...(Array.isArray(a) ? [i] : [])), name));
    }
  }
  for (const { from, b } of allBranches) {
    if (b.guard) checkRef('guards', b.guard, [...b.path, 'guard'], from);
    b.actions.forEach((a) => checkRef('actions', a, [...b.path, 'actions'], from));
    if (b.target !== undefined && !states[b.target]) add(b.path, `target state "${b.target}" does not exist`, from);
    if (b.guard === 'retriesLeft' && !b.actions.includes('countRetry')) {
      add(b.path, 'a branch guarded by retriesLeft must also run countRetry, or the retry limit is never reached', from);
    }
  }

  // Shapes of states.
  for (const name of names) {
    const s = states[name]!;
    const at = sp(name);
    if (s.type === 'final') {
      if (!!s.handoff === !!s.hangup) add(at, 'a final state ends in exactly one of handoff or hangup', name);
      if (s.gather || s.on || s.invoke) add(at, 'a final state cannot wait for input or have transitions', name);
    } else {
      if (s.handoff || s.hangup) add(at, 'handoff and hangup belong to final states (add type: final)', name);
      if (s.gather && s.invoke) add(at, 'a state either waits for input or invokes an actor, not both', name);
      const waysOut = Object.keys(s.on ?? {}).length + (s.invoke ? 1 : 0);
      if (waysOut === 0) add(at, 'non-final state has no way out: add transitions (on) or make it final', name);
      if (!s.gather && !s.invoke && !s.on?.[RUNTIME_EVENTS.CONTINUE]) {
        add(at, `a state without gather or invoke must say where to go next with on.${RUNTIME_EVENTS.CONTINUE}`, name);
      }
    }
    needAll(s.say, sp(name, 'say'), 'say', name);
    if (s.gather) checkInputState(flow, name, s, add, needAll);
  }

  // Message states move on by themselves: a chain of them that loops never reaches the caller again.
  for (const name of names) {
    const seen: string[] = [];
    let cur: string | undefined = name;
    while (cur && states[cur] && !states[cur]!.gather && !states[cur]!.invoke && states[cur]!.type !== 'final') {
      if (seen.includes(cur)) {
        if (cur === name) add(sp(name, 'on', RUNTIME_EVENTS.CONTINUE), `message states loop on ${RUNTIME_EVENTS.CONTINUE} without waiting for the caller: ${[...seen, cur].join(' → ')}`, name);
        break;
      }
      seen.push(cur);
      const next: Branch | undefined = branches(states[cur]!.on?.[RUNTIME_EVENTS.CONTINUE], []).find((b) => !b.guard) ?? branches(states[cur]!.on?.[RUNTIME_EVENTS.CONTINUE], [])[0];
      cur = next?.target;
    }
  }

  // Reachability: from the initial state along every transition (root ones apply everywhere).
  if (states[flow.machine.initial]) {
    const rootTargets = Object.values(flow.machine.on ?? {}).flatMap((t) => branches(t, []));
    const seen = new Set<string>([flow.machine.initial]);
    const queue = [flow.machine.initial];
    while (queue.length) {
      const cur = queue.shift()!;
      const s = states[cur]!;
      const next = allBranches.filter((x) => x.from === cur).map((x) => x.b.target);
      if (s.type !== 'final' && s.gather) next.push(...rootTargets.map((b) => b.target));
      for (const t of next) if (t && states[t] && !seen.has(t)) (seen.add(t), queue.push(t));
    }
    for (const name of names) if (!seen.has(name)) add(sp(name), `state "${name}" is unreachable from "${flow.machine.initial}"`, name);
  }
  return out;
}

type Add = (path: PropertyKey[], message: string, state?: string) => void;
type NeedAll = (text: Localized | Partial<Record<string, string[]>> | undefined, path: PropertyKey[], what: string, state?: string) => void;

/** A state that waits for the caller: it must speak, listen, and let the caller out. */
function checkInputState(flow: FlowDefinition, name: string, s: FlowState, add: Add, needAll: NeedAll) {
  const gather = s.gather!;
  const states = flow.machine.states;
  const at: PropertyKey[] = ['machine', 'states', name];
  const handler = (event: string): { t: Transitions; path: PropertyKey[] } | undefined => {
    if (s.on?.[event] !== undefined) return { t: s.on[event]!, path: [...at, 'on', event] };
    if (flow.machine.on?.[event] !== undefined) return { t: flow.machine.on[event]!, path: ['machine', 'on', event] };
    return undefined;
  };
  if (!s.say) add(at, 'a state that waits for input needs a prompt (say)', name);
  const speech = gather.input.includes('speech');
  gather.options.forEach((o, i) => {
    if (speech || flow.channel === 'sms') needAll(o.words, [...at, 'gather', 'options', i], `option ${o.event} words`, name);
    if (o.digit === flow.human.digit) add([...at, 'gather', 'options', i, 'digit'], `key ${o.digit} is the route to a human in every menu; choose another key`, name);
    if (!handler(o.event)) add([...at, 'gather', 'options', i], `option event ${o.event} is not handled by this state`, name);
  });
  const digits = gather.options.map((o) => o.digit).filter(Boolean);
  if (new Set(digits).size !== digits.length) add([...at, 'gather', 'options'], 'two options use the same key', name);
  if (gather.options.length === 0 && !handler('DIGITS') && !handler('SPEECH')) {
    add([...at, 'gather'], 'a state with no options must handle DIGITS or SPEECH', name);
  }
  if (speech) needAll(gather.hints, [...at, 'gather', 'hints'], 'gather.hints', name);

  // The human route (GB/T 33358: phone intake must not trap callers in menus).
  const human = handler(flow.human.event);
  const humanOk = human && branches(human.t, human.path).some((b) => !b.guard && isHandoff(states[b.target ?? '']));
  if (!humanOk) {
    add([...at, 'gather'], `waits for input without a route to a human: ${flow.human.event} (key ${flow.human.digit}) must lead to a handoff state, here or in machine.on`, name);
  }

  // No-input and invalid input: retried a limited number of times, then a human.
  const required = flow.channel === 'voice' ? [RUNTIME_EVENTS.NO_INPUT, RUNTIME_EVENTS.INVALID] : [RUNTIME_EVENTS.INVALID];
  for (const ev of required) {
    const h = handler(ev);
    if (!h) {
      add([...at, 'gather'], `does not handle ${ev}: retry with retriesLeft/countRetry, then go to a handoff state`, name);
      continue;
    }
    const bs = branches(h.t, h.path);
    const last = bs[bs.length - 1]!;
    if (last.guard || !isHandoff(states[last.target ?? ''])) {
      add(last.path, `${ev}: after the retries the last (unguarded) branch must go to a handoff state`, name);
    }
    for (const b of bs.slice(0, -1)) {
      if (!b.guard) add(b.path, `${ev}: only the last branch may be unguarded`, name);
    }
  }
}
