import type { CaseType, DeadlinePolicy, DeadlineStep, Urgency } from '../cases/deadlines.ts';
import { caseLifecycle, replay, type CaseEvent, type CaseRules, type CaseState, type Rating } from '../cases/lifecycle.ts';
import { SECOND } from './clock.ts';

/** A move of the history, as `Cases.act` would receive it (`at` in milliseconds). */
export type Move = { type: CaseEvent['type']; by: string; at: number } & Record<string, unknown>;

export interface HistoryEvent {
  seq: number;
  type: string;
  from: string;
  to: string;
  by: string;
  at: number;
  reason: string | null;
  note: string | null;
  /** The event as `Cases.act` stores it (JSON). */
  json: string;
}

export interface HistoryMiss {
  step: DeadlineStep;
  kind: 'warning' | 'overdue';
  due: number;
  at: number;
}

interface Due {
  step: DeadlineStep;
  at: number;
  warn: number;
}

/** The states in which a case can be put under supervision (督办), as the lifecycle allows. */
const SUPERVISABLE = new Set<CaseState>(['dispatched', 'returned', 'accepted', 'in_progress', 'replied']);

/** Working-day deadlines by policy, then by case type, urgency, step and China day (see CaseHistory.deadline). */
const WORKING_DAY_DEADLINES = new WeakMap<DeadlinePolicy, Map<string, number>>();

/** The longest the deadline scheduler (a scan every 30 s) takes to notice a point in time. */
const SCAN_LAG = 25 * SECOND;

/**
 * One case's history, built move by move exactly as the cases capability would record it: the
 * lifecycle's states, guards and context (`server/cases/lifecycle.ts`), the deadline each move
 * starts (`Cases.nextDeadline`), and between moves what the deadline scheduler would have done
 * (`Cases.scanDeadlines`): a warning at the warning point, an overdue miss at the deadline and,
 * where the lifecycle allows, supervision (督办) by `system` in the same instant.
 *
 * The lifecycle is followed by hand rather than through XState, which is some 20 times slower
 * (a million cases matter); `verify()` replays the events through the real machine.
 */
export class CaseHistory {
  state: CaseState = 'received';
  readonly context = {
    department: null as string | null,
    dispatchedAt: null as string | null,
    extensions: 0,
    pendingExtension: null as number | null,
    supervisions: 0,
    reopened: 0,
    satisfied: null as boolean | null,
    master: null as string | null,
  };
  due: Due | null;
  /** `next_check_at`: when the scheduler looks at the case next (null: nothing to look for). */
  private check: number | null;
  readonly events: HistoryEvent[] = [];
  readonly misses: HistoryMiss[] = [];
  /** The time of the last event. */
  last: number;

  constructor(
    private readonly policy: DeadlinePolicy,
    private readonly rules: CaseRules,
    readonly type: CaseType,
    readonly urgency: Urgency,
    readonly createdAt: number,
    by: string,
    /** Fraction (0–1) of the scan lag used for each miss: the generator's draw, so histories differ. */
    private readonly lag: () => number,
  ) {
    const at = new Date(createdAt).toISOString();
    this.events.push({ seq: 1, type: 'CREATE', from: '', to: 'received', by, at: createdAt, reason: null, note: null, json: JSON.stringify({ type: 'CREATE', by, at }) });
    this.due = this.deadline('dispatch', createdAt);
    this.check = this.due.warn;
    this.last = createdAt;
  }

  get version(): number {
    return this.events.length;
  }

  get finished(): boolean {
    return this.state === 'closed' || this.state === 'merged';
  }

  /** Whether a deadline of this case has been missed so far. */
  get late(): boolean {
    return this.misses.some((m) => m.kind === 'overdue');
  }

  private deadline(step: DeadlineStep, from: number): Due {
    const span = this.policy.span(this.type, this.urgency, step);
    if ('hours' in span) {
      const d = this.policy.deadline(this.type, this.urgency, step, new Date(from));
      return { step, at: d.at.getTime(), warn: d.warnAt.getTime() };
    }
    // A working-day deadline depends only on the China day the step began (it is the end of a
    // later day): computed once per day and span, the warning point as DeadlinePolicy.deadline has it.
    const key = `${this.type}|${this.urgency}|${step}|${Math.floor((from + 8 * 3600_000) / 86_400_000)}`;
    let cache = WORKING_DAY_DEADLINES.get(this.policy);
    if (!cache) WORKING_DAY_DEADLINES.set(this.policy, (cache = new Map()));
    let at = cache.get(key);
    if (at === undefined) {
      at = this.policy.deadline(this.type, this.urgency, step, new Date(from)).at.getTime();
      if (cache.size > 100_000) cache.clear();
      cache.set(key, at);
    }
    // As a Date holds it: whole milliseconds.
    return { step, at, warn: Math.trunc(from + this.policy.file.warn_at * (at - from)) };
  }

  /** Whether the lifecycle takes this move now (its guards included). */
  can(m: Pick<Move, 'type'> & Record<string, unknown>): boolean {
    const c = this.context;
    const hasReason = typeof m.reason === 'string' && m.reason.trim().length > 0;
    const working = this.state === 'accepted' || this.state === 'in_progress';
    switch (m.type) {
      case 'DISPATCH':
        return this.state === 'received';
      case 'MERGE':
        return this.state === 'received' || this.state === 'dispatched';
      case 'ACCEPT':
        return this.state === 'dispatched';
      case 'RETURN':
        return this.state === 'dispatched' && hasReason && c.dispatchedAt !== null && (m.at as number) - Date.parse(c.dispatchedAt) <= this.rules.returnWindowHours * 3600_000;
      case 'REDISPATCH':
        return this.state === 'returned';
      case 'START':
        return this.state === 'accepted';
      case 'REPLY':
        return working && c.pendingExtension === null;
      case 'REQUEST_EXTENSION':
        return working && hasReason && c.pendingExtension === null && c.extensions < this.rules.maxExtensions;
      case 'APPROVE_EXTENSION':
      case 'REJECT_EXTENSION':
        return working && c.pendingExtension !== null;
      case 'SUPERVISE':
        return SUPERVISABLE.has(this.state) && hasReason;
      case 'CALLBACK':
        return this.state === 'replied';
      case 'CLOSE':
        return this.state === 'callback' && c.satisfied === true;
      case 'REOPEN':
        return this.state === 'callback' && c.satisfied === false;
      default:
        return false;
    }
  }

  /**
   * Make a move at `m.at` (not before the last one): first whatever the deadline scheduler would
   * have recorded before it, then the move itself. Throws on a move the lifecycle refuses.
   */
  move(m: Move): void {
    if (m.at < this.last) throw new Error(`case history: ${m.type} at ${new Date(m.at).toISOString()} is before the last move`);
    this.scan(m.at, false);
    this.apply(m);
  }

  /** What the scheduler records up to `now` (inclusive, as its `next_check_at <= now`). */
  finish(now: number): void {
    this.scan(now, true);
  }

  /**
   * The case's `next_check_at`, as the scheduler leaves it: the warning point, then the deadline
   * once warned, then nothing once the miss is recorded.
   */
  get nextCheck(): number | null {
    return this.check;
  }

  /**
   * Cases.scanDeadlines at each check point before `limit`: a warning, or (past the deadline) an
   * overdue miss with supervision where the lifecycle allows; the next check moves on to the
   * deadline, then to nothing.
   */
  private scan(limit: number, inclusive: boolean): void {
    const passed = (t: number) => (inclusive ? t <= limit : t < limit);
    // The scan that notices a point comes a little after it, and always before the next move.
    const seen = (t: number) => Math.min(t + Math.floor(this.lag() * SCAN_LAG), inclusive ? limit : limit - 1);
    while (this.due && this.check !== null && passed(this.check)) {
      const due = this.due;
      const at = seen(this.check);
      const kind = due.at <= at ? 'overdue' : 'warning';
      this.check = kind === 'warning' ? due.at : null;
      // One row per case, step, kind and deadline: a later deadline that falls on the same instant
      // finds its row taken, and the scheduler records and supervises nothing for it.
      if (this.misses.some((m) => m.step === due.step && m.kind === kind && m.due === due.at)) continue;
      this.misses.push({ step: due.step, kind, due: due.at, at });
      if (kind === 'overdue' && SUPERVISABLE.has(this.state)) this.apply({ type: 'SUPERVISE', by: 'system', at, reason: `超期: ${due.step} due ${new Date(due.at).toISOString()}` });
    }
  }

  private apply(m: Move): void {
    if (!this.can(m)) throw new Error(`case history: a case in ${this.state} cannot take ${m.type} (${JSON.stringify(m)})`);
    const c = this.context;
    const before = this.state;
    const pendingBefore = c.pendingExtension;
    const iso = new Date(m.at).toISOString();
    let to: CaseState = before;
    switch (m.type) {
      case 'DISPATCH':
      case 'REDISPATCH':
        to = 'dispatched';
        c.department = m.department as string;
        c.dispatchedAt = iso;
        break;
      case 'MERGE':
        to = 'merged';
        c.master = m.master as string;
        break;
      case 'ACCEPT':
        to = 'accepted';
        break;
      case 'RETURN':
        to = 'returned';
        break;
      case 'START':
        to = 'in_progress';
        break;
      case 'REPLY':
        to = 'replied';
        break;
      case 'REQUEST_EXTENSION':
        c.pendingExtension = m.workingDays as number;
        break;
      case 'APPROVE_EXTENSION':
        c.extensions++;
        c.pendingExtension = null;
        break;
      case 'REJECT_EXTENSION':
        c.pendingExtension = null;
        break;
      case 'SUPERVISE':
        c.supervisions++;
        break;
      case 'CALLBACK':
        to = 'callback';
        c.satisfied = m.satisfied as boolean;
        break;
      case 'CLOSE':
        to = 'closed';
        break;
      case 'REOPEN':
        to = 'in_progress';
        c.reopened++;
        c.satisfied = null;
        break;
    }
    this.state = to;
    // The event as Cases.act stores it: the move as given, then its time.
    const { at: _at, ...rest } = m;
    const reason = typeof m.reason === 'string' ? m.reason : null;
    const note = typeof m.note === 'string' ? m.note : null;
    this.events.push({ seq: this.events.length + 1, type: m.type, from: before, to, by: m.by, at: m.at, reason, note, json: JSON.stringify({ ...rest, at: iso }) });
    this.last = m.at;
    this.nextDeadline(before, m, pendingBefore);
  }

  /** Cases.nextDeadline: each step starts its own clock; an approved extension moves the deadline on. */
  private nextDeadline(before: CaseState, m: Move, pendingBefore: number | null): void {
    const old = this.due;
    let next: Due | null;
    if (m.type === 'APPROVE_EXTENSION' && old) {
      const d = this.policy.extend(new Date(old.at), pendingBefore ?? 0, new Date(m.at));
      next = { step: old.step, at: d.at.getTime(), warn: d.warnAt.getTime() };
    } else if (this.state === before && m.type !== 'REOPEN') next = old;
    else
      switch (this.state) {
        case 'dispatched':
          next = this.deadline('accept', m.at);
          break;
        case 'returned':
          next = this.deadline('dispatch', m.at);
          break;
        case 'accepted':
          next = this.deadline('reply', m.at);
          break;
        case 'in_progress':
          next = m.type === 'REOPEN' ? this.deadline('reply', m.at) : old;
          break;
        case 'replied':
          next = this.deadline('callback', m.at);
          break;
        default:
          next = null;
      }
    // Cases.act: a new deadline is watched from its warning point; one falling on the same instant as before.
    if ((next?.at ?? null) !== (old?.at ?? null)) this.check = next ? next.warn : null;
    this.due = next;
  }

  /** The persisted lifecycle snapshot, as `caseLifecycle.getPersistedSnapshot` writes it. */
  snapshot(): string {
    const c = this.context;
    return JSON.stringify({
      status: this.finished ? 'done' : 'active',
      value: this.state,
      historyValue: {},
      context: {
        rules: { returnWindowHours: this.rules.returnWindowHours, maxExtensions: this.rules.maxExtensions },
        department: c.department,
        dispatchedAt: c.dispatchedAt,
        extensions: c.extensions,
        pendingExtension: c.pendingExtension,
        supervisions: c.supervisions,
        reopened: c.reopened,
        satisfied: c.satisfied,
        master: c.master,
      },
      children: {},
    });
  }

  /** Replays the events through the real lifecycle machine: throws unless it agrees move for move and in the end. */
  verify(): void {
    const events = this.events.slice(1).map((e) => JSON.parse(e.json) as CaseEvent);
    const real = JSON.stringify(caseLifecycle.getPersistedSnapshot(replay(this.rules, events)));
    if (real !== this.snapshot()) throw new Error(`case history disagrees with the lifecycle machine:\n  machine ${real}\n  history ${this.snapshot()}`);
  }
}

export type { Rating };
