import { assign, initialTransition, setup, transition, type SnapshotFrom } from 'xstate';

/** The states of a case, with the names people in a 12345 centre use. */
/** The caller's rating at the callback (回访): 满意, 基本满意, 不满意. The first two count as satisfied. */
export const RATINGS = ['satisfied', 'basic', 'dissatisfied'] as const;
export type Rating = (typeof RATINGS)[number];

export const CASE_STATES = {
  received: '受理',
  dispatched: '派单',
  returned: '退单',
  accepted: '签收',
  in_progress: '办理中',
  replied: '回复',
  callback: '回访',
  closed: '办结',
  merged: '并单',
} as const;
export type CaseState = keyof typeof CASE_STATES;

/** Who did it, when, and why: every event carries them; the history is the list of events. */
interface Meta {
  by: string;
  at: string;
  reason?: string;
  note?: string;
}

export type CaseEvent = Meta &
  (
    | { type: 'DISPATCH'; department: string }
    | { type: 'RETURN'; reason: string }
    | { type: 'REDISPATCH'; department: string }
    | { type: 'ACCEPT' }
    | { type: 'START' }
    | { type: 'REQUEST_EXTENSION'; reason: string; workingDays: number }
    | { type: 'APPROVE_EXTENSION' }
    | { type: 'REJECT_EXTENSION' }
    | { type: 'SUPERVISE'; reason: string }
    | { type: 'REPLY' }
    | { type: 'CALLBACK'; satisfied: boolean; rating?: Rating }
    | { type: 'CLOSE' }
    | { type: 'REOPEN'; reason: string }
    | { type: 'MERGE'; master: string }
  );

export interface CaseRules {
  /** How long after a dispatch the department may still return the case (hours). */
  returnWindowHours: number;
  /** Extensions a case may be granted in all. */
  maxExtensions: number;
}

export interface LifecycleContext {
  rules: CaseRules;
  department: string | null;
  dispatchedAt: string | null;
  extensions: number;
  /** Working days asked for by a pending extension request. */
  pendingExtension: number | null;
  supervisions: number;
  reopened: number;
  satisfied: boolean | null;
  master: string | null;
}

const needsReason = ({ event }: { event: CaseEvent }) => typeof event.reason === 'string' && event.reason.trim().length > 0;

/** Supervision (督办) of a late or disputed case: any open step before the callback, with a reason. */
const SUPERVISE = { guard: 'hasReason', actions: 'countSupervision' } as const;

/** What a department can do while it works a case (签收 and 办理中 alike). */
const WORKING = {
  REPLY: { target: 'replied', guard: 'noPendingExtension' },
  REQUEST_EXTENSION: { guard: 'canAskExtension', actions: 'askExtension' },
  APPROVE_EXTENSION: { guard: 'extensionPending', actions: 'grantExtension' },
  REJECT_EXTENSION: { guard: 'extensionPending', actions: 'refuseExtension' },
  SUPERVISE,
} as const;

/**
 * The case lifecycle as an XState machine: the same machinery as the flows, with the
 * implementations bound by `setup()` and the configuration plain data. A late or disputed
 * open case can be put under supervision (督办) at any step before the callback. Each move is checked
 * with the pure `transition()`: nothing runs, nothing is kept in memory.
 */
export const caseLifecycle = setup({
  types: { context: {} as LifecycleContext, events: {} as CaseEvent, input: {} as CaseRules },
  guards: {
    hasReason: needsReason,
    withinReturnWindow: ({ context, event }) =>
      needsReason({ event }) && context.dispatchedAt !== null && Date.parse(event.at) - Date.parse(context.dispatchedAt) <= context.rules.returnWindowHours * 3600_000,
    canAskExtension: ({ context, event }) => needsReason({ event }) && context.pendingExtension === null && context.extensions < context.rules.maxExtensions,
    extensionPending: ({ context }) => context.pendingExtension !== null,
    noPendingExtension: ({ context }) => context.pendingExtension === null,
    satisfied: ({ context }) => context.satisfied === true,
    notSatisfied: ({ context }) => context.satisfied === false,
  },
  actions: {
    setDepartment: assign({
      department: ({ event }) => ('department' in event ? event.department : null),
      dispatchedAt: ({ event }) => event.at,
    }),
    askExtension: assign({ pendingExtension: ({ event }) => ('workingDays' in event ? event.workingDays : null) }),
    grantExtension: assign({ extensions: ({ context }) => context.extensions + 1, pendingExtension: null }),
    refuseExtension: assign({ pendingExtension: null }),
    countSupervision: assign({ supervisions: ({ context }) => context.supervisions + 1 }),
    recordCallback: assign({ satisfied: ({ event }) => ('satisfied' in event ? event.satisfied : null) }),
    countReopen: assign({ reopened: ({ context }) => context.reopened + 1, satisfied: null }),
    setMaster: assign({ master: ({ event }) => ('master' in event ? event.master : null) }),
  },
}).createMachine({
  id: 'case',
  initial: 'received',
  context: ({ input }) => ({
    rules: input,
    department: null,
    dispatchedAt: null,
    extensions: 0,
    pendingExtension: null,
    supervisions: 0,
    reopened: 0,
    satisfied: null,
    master: null,
  }),
  states: {
    received: {
      on: {
        DISPATCH: { target: 'dispatched', actions: 'setDepartment' },
        MERGE: { target: 'merged', actions: 'setMaster' },
      },
    },
    dispatched: {
      on: {
        ACCEPT: 'accepted',
        RETURN: { target: 'returned', guard: 'withinReturnWindow' },
        SUPERVISE,
        MERGE: { target: 'merged', actions: 'setMaster' },
      },
    },
    returned: {
      on: {
        REDISPATCH: { target: 'dispatched', actions: 'setDepartment' },
        SUPERVISE,
      },
    },
    accepted: { on: { START: 'in_progress', ...WORKING } },
    in_progress: { on: WORKING },
    replied: {
      on: {
        CALLBACK: { target: 'callback', actions: 'recordCallback' },
        SUPERVISE,
      },
    },
    callback: {
      on: {
        CLOSE: { target: 'closed', guard: 'satisfied' },
        REOPEN: { target: 'in_progress', guard: 'notSatisfied', actions: 'countReopen' },
      },
    },
    closed: { type: 'final' },
    merged: { type: 'final' },
  },
});

export type CaseSnapshot = SnapshotFrom<typeof caseLifecycle>;

export class IllegalMove extends Error {
  constructor(
    readonly state: CaseState,
    readonly event: CaseEvent['type'],
    why: string,
  ) {
    super(`a case in ${CASE_STATES[state]} (${state}) cannot take ${event}: ${why}`);
  }
}

export function stateOf(s: CaseSnapshot): CaseState {
  return s.value as CaseState;
}

/** Why a move the machine refused was refused, in words for the person who tried it. */
function whyRefused(s: CaseSnapshot, e: CaseEvent): string {
  const c = s.context;
  const allowed = Object.keys((caseLifecycle.states[stateOf(s)]?.config.on ?? {}) as object);
  if (!allowed.includes(e.type)) return allowed.length ? `only ${allowed.join(', ')} can happen now` : 'the case is finished';
  if ((e.type === 'RETURN' || e.type === 'SUPERVISE' || e.type === 'REQUEST_EXTENSION') && !needsReason({ event: e })) return 'a reason is required';
  if (e.type === 'RETURN') return `the return window (${c.rules.returnWindowHours} h after dispatch) has passed`;
  if (e.type === 'REQUEST_EXTENSION') return c.pendingExtension !== null ? 'an extension request is already waiting for a supervisor' : `the case has had its ${c.rules.maxExtensions} extension(s)`;
  if (e.type === 'APPROVE_EXTENSION' || e.type === 'REJECT_EXTENSION') return 'no extension request is waiting';
  if (e.type === 'REPLY') return 'an extension request is waiting for a supervisor';
  if (e.type === 'CLOSE') return 'the caller was not satisfied; reopen it (重办)';
  if (e.type === 'REOPEN') return 'the caller was satisfied; close it';
  return 'not allowed';
}

export function newCase(rules: CaseRules): CaseSnapshot {
  return initialTransition(caseLifecycle, rules)[0];
}

/** Apply one event, or throw IllegalMove saying why not. */
export function apply(s: CaseSnapshot, e: CaseEvent): CaseSnapshot {
  if (!s.can(e)) throw new IllegalMove(stateOf(s), e.type, whyRefused(s, e));
  return transition(caseLifecycle, s, e)[0];
}

/** The current state is derived from the history, and can always be rebuilt from it. */
export function replay(rules: CaseRules, events: CaseEvent[]): CaseSnapshot {
  return events.reduce(apply, newCase(rules));
}
