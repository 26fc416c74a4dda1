import type { CaseType, DeadlinePolicy, Urgency } from '../cases/deadlines.ts';
import type { CaseRules, Rating } from '../cases/lifecycle.ts';
import { CaseHistory, type Move } from './case-history.ts';
import { DISSATISFIED_REASONS, EXTENSION_REASONS, RETURN_REASONS, SUPERVISE_REASONS, type CategorySpec } from './catalogue.ts';
import { HOUR, MINUTE, SECOND, type WorkClock } from './clock.ts';
import type { Random } from './random.ts';

/** What the generator decided about a request when it came in. */
export interface CaseHead {
  id: string;
  created: number;
  type: CaseType;
  category: string;
  spec: CategorySpec;
  urgency: Urgency;
  district: string;
  address: string | null;
  description: string;
  channel: 'voice' | 'sms' | 'web' | 'open311';
  callerPhone: string;
  callerName: string | null;
  lang: 'zh-CN' | 'en-US';
  lat: number | null;
  lng: number | null;
  pin: string;
  articleId: string | null;
  callSid: string | null;
  /** Where the routing rules (or the agent) send it. */
  department: string;
  /** Who took the request. */
  by: string;
  /** An earlier open case about the same thing that this one is merged into (并单). */
  master?: string;
  /** Part of a hot spot or a surge: repeats about one place, often merged (并单). */
  hot?: boolean;
  /** Part of a surge (its department is swamped and slower). */
  surge?: boolean;
}

/** A callback call (回访) the flows/callback flow placed and the caller answered. */
export interface CallbackCall {
  at: number;
  rating: Rating;
  phone: string;
  lang: string;
}

export interface PlanEnv {
  rng: Random;
  clock: WorkClock;
  policy: DeadlinePolicy;
  rules: CaseRules;
  /** Moves stop here: the end of the history. */
  end: number;
  /** The scheduler is followed up to here (the seed's "now"). */
  now: number;
  handlers: (department: string) => readonly string[];
  agents: readonly string[];
  supervisors: readonly string[];
  /** Known department codes (a return goes on only to one of them). */
  departments: ReadonlySet<string>;
}

/** How often a department misses its deadlines: a couple are chronically late. */
const LATENESS: Record<string, { accept: number; reply: number }> = {
  TRAFFIC: { accept: 0.24, reply: 0.32 },
  CITY: { accept: 0.14, reply: 0.22 },
};
const USUAL = { accept: 0.03, reply: 0.06 };

export interface PlannedCase {
  history: CaseHistory;
  callbacks: CallbackCall[];
}

/**
 * The whole life of a case from its head: dispatch, perhaps a return and a re-dispatch, accept,
 * start, perhaps an extension or a supervisor's push, reply, the callback with the caller's
 * rating, then close or reopen (重办) and round again. Moves after `env.end` are not made: the
 * case is left where the history ends, its deadlines watched up to `env.now`.
 */
export function planCase(head: CaseHead, env: PlanEnv): PlannedCase {
  const { rng, clock } = env;
  const urgent = head.urgency === 'urgent';
  const h = new CaseHistory(env.policy, env.rules, head.type, head.urgency, head.created, head.by, () => rng.next());
  const callbacks: CallbackCall[] = [];
  const done = (): PlannedCase => {
    h.finish(env.now);
    return { history: h, callbacks };
  };
  /** Make the move if it falls inside the history; false when the history ends first. */
  const move = (m: Move): boolean => {
    if (m.at >= env.end) return false;
    h.move({ ...m, at: Math.max(m.at, h.last) });
    return true;
  };
  const office = (from: number, minutes: number) => (urgent ? from + minutes * MINUTE : clock.officeAfter(from, minutes));
  const centre = (from: number, minutes: number) => (urgent ? from + minutes * MINUTE : clock.centreAfter(from, minutes));
  const officeBudget = (from: number, to: number) => (urgent ? (to - from) / MINUTE : clock.officeMinutes(from, to));
  const centreBudget = (from: number, to: number) => (urgent ? (to - from) / MINUTE : clock.centreMinutes(from, to));
  /** A time well inside the deadline: `share` of the working time left, never past it. */
  const within = (from: number, due: number, share: number, who: 'office' | 'centre') => {
    const budget = who === 'office' ? officeBudget(from, due) : centreBudget(from, due);
    const t = (who === 'office' ? office : centre)(from, Math.max(1, budget * share));
    return t < due ? t : from + (due - from) * share;
  };
  /** Some time after the deadline has passed. */
  const lateAfter = (due: number, who: 'office' | 'centre') =>
    urgent ? due + rng.between(10, 240) * MINUTE : (who === 'office' ? clock.officeAfter : clock.centreAfter).call(clock, due, rng.logNormal(300, 0.9)) + rng.int(1, 600) * SECOND;
  const agent = () => head.by.startsWith('agent-') && rng.chance(0.6) ? head.by : rng.pick(env.agents);
  const supervisor = () => rng.pick(env.supervisors);

  // 并单: a repeat of an open case is merged into it instead of being dispatched again.
  if (head.master) {
    move({ type: 'MERGE', master: head.master, by: agent(), at: centre(head.created, rng.between(2, 30)) });
    return done();
  }

  // 派单: the centre dispatches, nearly always within the day.
  const dispatchDue = h.due!.at;
  let t = rng.chance(0.015) ? lateAfter(dispatchDue, 'centre') : Math.min(centre(head.created, urgent ? rng.between(3, 15) : rng.logNormal(25, 0.9)), within(head.created, dispatchDue, 0.9, 'centre'));
  if (!move({ type: 'DISPATCH', department: head.department, by: agent(), at: t })) return done();
  let department = head.department;

  // 退单 and 改派: a department that is not the right one sends it back within the window.
  const onward = (head.spec.redispatchTo ?? []).filter((d) => d !== department && env.departments.has(d));
  if (department !== 'CENTER' && onward.length && rng.chance(0.05)) {
    t = h.last + rng.between(0.5, Math.min(20, env.rules.returnWindowHours * 0.8)) * HOUR;
    if (!move({ type: 'RETURN', reason: rng.pick(RETURN_REASONS), by: rng.pick(env.handlers(department)), at: t })) return done();
    department = rng.pick(onward);
    const due = h.due!.at;
    t = rng.chance(0.05) ? lateAfter(due, 'centre') : within(h.last, due, rng.between(0.05, 0.5), 'centre');
    if (!move({ type: 'REDISPATCH', department, by: agent(), at: t })) return done();
  }
  const late = LATENESS[department] ?? USUAL;
  const handler = () => rng.pick(env.handlers(department));

  // 签收
  let due = h.due!.at;
  t = rng.chance(late.accept) ? lateAfter(due, 'office') : within(h.last, due, Math.min(0.95, rng.next() ** 2 * 0.7 + 0.01), 'office');
  if (!move({ type: 'ACCEPT', by: handler(), at: t })) return done();
  if (rng.chance(0.75) && !move({ type: 'START', by: handler(), at: office(h.last, rng.logNormal(40, 1)) })) return done();

  for (let round = 0; ; round++) {
    // 答复, perhaps after asking for more time (延期) or a supervisor's push (督办).
    due = h.due!.at;
    let replyLate = rng.chance(head.surge ? Math.max(late.reply, 0.3) : late.reply);
    if (replyLate && !urgent && rng.chance(0.4) && h.can({ type: 'REQUEST_EXTENSION', reason: 'x' })) {
      const asked = within(h.last, due, rng.between(0.55, 0.95), 'office');
      if (!move({ type: 'REQUEST_EXTENSION', reason: rng.pick(EXTENSION_REASONS), workingDays: rng.pick([3, 5, 5, 7, 10]), by: handler(), at: asked })) return done();
      const decided = office(h.last, rng.logNormal(150, 0.8));
      if (rng.chance(0.85)) {
        if (!move({ type: 'APPROVE_EXTENSION', by: supervisor(), at: decided })) return done();
        due = h.due!.at;
        replyLate = rng.chance(0.15);
      } else if (!move({ type: 'REJECT_EXTENSION', reason: '理由不充分，请按期办结', by: supervisor(), at: decided })) return done();
    }
    const replyAt = replyLate && due > h.last ? lateAfter(due, 'office') : due > h.last ? within(h.last, due, Math.min(0.97, 0.08 + rng.next() ** 1.3 * 0.85), 'office') : office(h.last, rng.logNormal(120, 0.8));
    if (rng.chance(0.015)) {
      const pushed = h.last + (replyAt - h.last) * rng.between(0.2, 0.8);
      if (!move({ type: 'SUPERVISE', reason: rng.pick(SUPERVISE_REASONS), by: supervisor(), at: pushed })) return done();
    }
    if (!move({ type: 'REPLY', note: rng.pick(head.spec.replies), by: handler(), at: Math.max(replyAt, h.last + rng.int(30, 600) * SECOND) })) return done();

    // 回访: the centre calls the caller back for a rating; a few cannot be reached in time, some never.
    if (!head.callerPhone) return done();
    const callbackDue = h.due!.at;
    const unreached = rng.chance(0.05);
    if (unreached && rng.chance(0.4)) return done(); // the deadline passes (and is supervised); nobody ever answers
    const rating: Rating = rate(rng, round, h.late);
    const byCall = rating !== 'dissatisfied' && rng.chance(0.55);
    let at = unreached ? lateAfter(callbackDue, 'centre') : byCall ? centre(h.last, 60 + rng.between(0.5, 2)) : within(h.last, callbackDue, rng.between(0.05, 0.6), 'centre');
    if (at >= env.end) return done();
    if (byCall) {
      // flows/callback: the caller keys the rating; Cases.rate records it and closes in one go.
      if (!move({ type: 'CALLBACK', satisfied: true, rating, by: 'callback-call', at })) return done();
      callbacks.push({ at, rating, phone: head.callerPhone, lang: head.lang });
      move({ type: 'CLOSE', by: 'callback-call', at });
      return done();
    }
    const by = agent();
    if (rating === 'dissatisfied') {
      const reason = rng.weighted(DISSATISFIED_REASONS);
      if (!move({ type: 'CALLBACK', satisfied: false, rating, note: reason, by, at })) return done();
      at = h.last + rng.int(20, 180) * SECOND;
      if (!move({ type: 'REOPEN', reason: `回访不满意：${reason}`, by, at })) return done();
      continue;
    }
    if (!move({ type: 'CALLBACK', satisfied: true, rating, by, at })) return done();
    move({ type: 'CLOSE', by, at: h.last + rng.int(20, 180) * SECOND });
    return done();
  }
}

/** The caller's rating: most are content; a late case, less so; a reopened one is rated again more kindly. */
function rate(rng: Random, round: number, late: boolean): Rating {
  if (round >= 2) return rng.chance(0.7) ? 'satisfied' : 'basic';
  if (round === 1) return rng.weighted({ satisfied: 58, basic: 30, dissatisfied: 12 });
  return late ? rng.weighted({ satisfied: 52, basic: 20, dissatisfied: 28 }) : rng.weighted({ satisfied: 73, basic: 15, dissatisfied: 12 });
}
