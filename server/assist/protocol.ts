/**
 * What the agent panel and the server say to each other over Socket.IO. Types only (and one
 * pure reducer), so the panel imports this file as it is: one definition for both ends.
 */
import type { CallEvent } from '../events.ts';

export type { CallEvent };

/** A call event as it was stored: `id` sorts the events of a call and lets a panel drop repeats. */
export type LiveEvent = CallEvent & { id: string };

/** Event types every agent and supervisor receives for the call list; the rest go only to a call's watchers. */
export const LIST_EVENTS = ['call.started', 'call.step', 'call.answer', 'call.queued', 'call.handed_off', 'call.assigned', 'call.ended'] as const;

export interface Suggestion {
  id: string;
  title: string;
  score: number;
  category: string;
  department: string;
  lang: string;
  /** The voice answer, to read to the caller. */
  voice: string;
}

export interface PanelUser {
  username: string;
  roles: string[];
  departments: string[];
}

/** Server → panel. */
export interface ServerToPanel {
  /** A call event, as it happens. */
  call: (e: LiveEvent) => void;
  /** A case of the user's departments (or any, for the centre) changed: reload it. */
  case: (c: CaseNotice) => void;
  /** A deadline warning or miss, pushed to supervisors (and the case's department). */
  alert: (a: CaseAlert) => void;
  /** The floor, for supervisors: pushed when it changes. */
  wallboard: (w: WallboardFigures) => void;
}

export interface CaseNotice {
  caseId: string;
  department: string | null;
  state: string;
  kind: 'created' | 'moved' | 'deadline';
}

export interface CaseAlert {
  caseId: string;
  department: string | null;
  kind: 'warning' | 'overdue';
  step: string;
  dueAt: string;
  escalated: boolean;
  at: string;
}

/** What the server knows better than a panel: people and cases (calls a panel counts itself). */
export interface WallboardFigures {
  agentsAvailable: number;
  agentsBusy: number;
  /** Cases past a deadline now. */
  overdueCases: number;
  at: string;
}

export type AgentStatus = 'available' | 'busy' | 'away';

export interface SyncReply {
  user: PanelUser;
  /** Every live call (list events), and the full history of the watched ones. */
  calls: Record<string, LiveEvent[]>;
  wallboard?: WallboardFigures;
}

/** Panel → server; each answers through the Socket.IO acknowledgement. */
export interface PanelToServer {
  sync: (req: { watch: string[] }, ack: (r: SyncReply | { error: string }) => void) => void;
  watch: (callSid: string, ack: (r: { events: LiveEvent[] } | { error: string }) => void) => void;
  unwatch: (callSid: string) => void;
  presence: (status: AgentStatus) => void;
}

/** A call as the panel shows it, folded from its events. */
export interface CallView {
  callSid: string;
  channel: 'voice' | 'sms';
  from: string;
  lang: string;
  flow: string;
  startedAt: string;
  status: 'menu' | 'queued' | 'with_agent' | 'ended';
  /** States the caller went through, with what they pressed or said. */
  path: Array<{ state: string; digits?: string; speech?: string; confidence?: number; at: string }>;
  answers: Array<{ articleId: string | null; title?: string; score: number; decision: string; question: string; at: string }>;
  queue?: { name: string; position?: number; since: string; waitS?: number };
  agent?: string;
  transcript: Array<{ text: string; track: 'caller' | 'agent'; final: boolean; at: string }>;
  suggestions: Array<Suggestion & { at: string; query: string }>;
  endedAt?: string;
  outcome?: string;
  /** Ids of the events folded in, to drop repeats (a resync sends some again). */
  seen: Set<string>;
}

export function emptyCall(callSid: string): CallView {
  return { callSid, channel: 'voice', from: '', lang: 'zh-CN', flow: '', startedAt: '', status: 'menu', path: [], answers: [], transcript: [], suggestions: [], seen: new Set() };
}

/** Folds one event into a call's view; an event seen before changes nothing. Pure but for `seen` and the arrays it appends to. */
export function foldCall(view: CallView, e: LiveEvent): CallView {
  if (view.seen.has(e.id)) return view;
  view.seen.add(e.id);
  switch (e.type) {
    case 'call.started':
      Object.assign(view, { channel: e.channel, from: e.from, flow: `${e.flowId}@${e.flowVersion}`, startedAt: e.at, lang: e.lang ?? view.lang });
      break;
    case 'call.step':
      view.path.push({ state: e.state, at: e.at, digits: e.input?.digits, speech: e.input?.speech, confidence: e.input?.confidence });
      if (e.lang) view.lang = e.lang;
      break;
    case 'call.answer':
      view.answers.push({ articleId: e.articleId, title: e.title, score: e.score, decision: e.decision, question: e.question, at: e.at });
      break;
    case 'call.queued':
      if (view.status !== 'with_agent' && view.status !== 'ended') view.status = 'queued';
      view.queue = { name: e.queue, position: e.position, waitS: e.waitS, since: view.queue?.since ?? e.at };
      break;
    case 'call.handed_off':
      // Also after a take-over the agent did not answer: the caller is back in the queue.
      if (view.status === 'ended') break;
      if (e.target.startsWith('queue:')) {
        view.status = 'queued';
        view.agent = undefined;
        view.queue ??= { name: e.target.slice(6), since: e.at };
      } else view.status = 'with_agent';
      break;
    case 'call.assigned':
      if (view.status !== 'ended') view.status = 'with_agent';
      view.agent = e.agent;
      break;
    case 'call.transcript':
      view.transcript.push({ text: e.text, track: e.track, final: e.final, at: e.at });
      break;
    case 'call.suggestions':
      view.suggestions.unshift(...e.hits.map((h) => ({ ...h, at: e.at, query: e.query })));
      view.suggestions.splice(20);
      break;
    case 'call.ended':
      view.status = 'ended';
      view.endedAt = e.at;
      view.outcome = e.outcome;
      break;
  }
  return view;
}
