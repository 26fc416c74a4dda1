import { randomInt } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../store/index.ts';
import type { CasesTable } from '../store/schema.ts';
import { chinaDate } from './calendar.ts';
import type { CaseType, DeadlinePolicy, DeadlineStep, Urgency } from './deadlines.ts';
import { apply, caseLifecycle, IllegalMove, newCase, replay, stateOf, type CaseEvent, type CaseRules, type CaseSnapshot, type CaseState, type Rating } from './lifecycle.ts';
import { caseLeague, caseMeasures, caseTally, type CaseMeasures, type LeagueLine, type Period, type Scope } from './measures.ts';
import { caseNumber } from './number.ts';
import { caseSurvey, type CaseSurvey } from './survey.ts';
import { casesAbout, casesFromContacts, complaintsWithPlace, contactsWithCase, descriptions, firstCaseAt, receivedByPeriod, stillOverdue } from './topics.ts';

export type CaseRow = Selectable<CasesTable>;
export type Db = Kysely<Database> | Transaction<Database>;

export const CHANNELS = ['voice', 'sms', 'web', 'open311'] as const;

export interface NewCase {
  type: CaseType;
  category: string;
  urgency: Urgency;
  callerPhone: string;
  callerName?: string;
  district?: string;
  address?: string;
  description: string;
  channel: (typeof CHANNELS)[number];
  callSid?: string;
  articleId?: string;
  /** The caller's language; default zh-CN. */
  lang?: string;
  /** Where the request is about (WGS84). */
  lat?: number;
  lng?: number;
  /** Who took the request (an agent's user name, or `system`). */
  by: string;
}

/** A deadline missed or nearly missed, recorded once whatever scans it. */
export interface DeadlineMiss {
  caseId: string;
  step: DeadlineStep;
  kind: 'warning' | 'overdue';
  dueAt: string;
  /** The case was put under supervision (督办) for it. */
  escalated: boolean;
}

export interface CaseFilter {
  /** Only these departments' cases (a department handler's view); undefined: all. */
  departments?: string[];
  states?: string[];
  types?: string[];
  /** Only cases past the deadline of the step they wait for. */
  overdue?: boolean;
  /** created_at range, ISO timestamps, [from, to). */
  from?: string;
  to?: string;
}

export class CaseNotFound extends Error {}

/** What happened to a case, as the capabilities that react to it (notifications) see it. */
export type CaseChange =
  | { kind: 'created'; case: CaseRow }
  | { kind: 'moved'; case: CaseRow; event: CaseEvent; from: CaseState; to: CaseState; fromDepartment: string | null }
  | { kind: 'deadline'; case: CaseRow; miss: DeadlineMiss };

/**
 * Runs inside the transaction of the change, on its handle: what it writes (the outbox rows of
 * the messages the change causes) commits or rolls back with the change itself.
 */
export type CaseChangeHook = (db: Db, change: CaseChange) => Promise<void>;

/** A case's lifecycle snapshot as stored with it. */
export function snapshotOf(row: CaseRow): CaseSnapshot {
  return caseLifecycle.resolveState(JSON.parse(row.snapshot)) as CaseSnapshot;
}
/** Someone else moved the case since it was read; read it again and retry. */
export class CaseChanged extends Error {}

/** A move as a caller gives it: `at` defaults to now. */
export type Move = CaseEvent extends infer E ? (E extends CaseEvent ? Omit<E, 'at'> & { at?: string } : never) : never;

/**
 * The cases capability: every request becomes a case whose history is an append-only list
 * of events (who, when, from → to, reason); the current state and the deadline of the step
 * it waits for are kept with it for queries, and can be rebuilt from the events.
 */
export class Cases {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly policy: DeadlinePolicy,
    private readonly rules: CaseRules = policy.rules,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private readonly hooks: CaseChangeHook[] = [];
  private readonly committed: Array<(changes: CaseChange[]) => void> = [];
  /** The changes made inside each open transaction, told to the commit listeners once it has committed. */
  private readonly pending = new WeakMap<object, CaseChange[]>();

  onChange(hook: CaseChangeHook): void {
    this.hooks.push(hook);
  }

  /**
   * Called after a transaction that changed cases has committed, with its changes (e.g. to send
   * what it queued at once, or to tell the panels). A transaction rolled back tells nobody.
   */
  onCommit(listener: (changes: CaseChange[]) => void): void {
    this.committed.push(listener);
  }

  private async changed(db: Db, change: CaseChange): Promise<void> {
    for (const hook of this.hooks) await hook(db, change);
    this.pending.get(db)?.push(change);
  }

  private async inTransaction<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    const changes: CaseChange[] = [];
    const result = await this.db.transaction().execute(async (trx) => {
      this.pending.set(trx, changes);
      return fn(trx);
    });
    if (changes.length) for (const l of this.committed) l(changes);
    return result;
  }

  async create(c: NewCase): Promise<CaseRow> {
    const at = this.now();
    const snapshot = newCase(this.rules);
    const due = this.policy.deadline(c.type, c.urgency, 'dispatch', at);
    // The day's sequence is one atomic upsert, so two processes never draw the same number.
    const created = await this.inTransaction(async (trx) => {
      const day = chinaDate(at);
      const seq = await trx
        .insertInto('case_sequences')
        .values({ day, last: 1 })
        .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ last: eb('case_sequences.last', '+', 1) })))
        .returning('last')
        .executeTakeFirstOrThrow();
      const row: CaseRow = {
        id: caseNumber(day, seq.last),
        type: c.type,
        category: c.category,
        urgency: c.urgency,
        caller_phone: c.callerPhone,
        caller_name: c.callerName ?? null,
        district: c.district ?? null,
        address: c.address ?? null,
        description: c.description,
        channel: c.channel,
        call_sid: c.callSid ?? null,
        article_id: c.articleId ?? null,
        department: null,
        state: 'received',
        snapshot: JSON.stringify(caseLifecycle.getPersistedSnapshot(snapshot)),
        version: 1,
        due_step: 'dispatch',
        due_at: due.at.toISOString(),
        warn_at: due.warnAt.toISOString(),
        next_check_at: due.warnAt.toISOString(),
        lang: c.lang ?? 'zh-CN',
        lat: c.lat ?? null,
        lng: c.lng ?? null,
        pin: String(randomInt(0, 10_000)).padStart(4, '0'),
        created_at: at.toISOString(),
        updated_at: at.toISOString(),
      };
      await trx.insertInto('cases').values(row).execute();
      await trx
        .insertInto('case_events')
        .values({ case_id: row.id, seq: 1, type: 'CREATE', from_state: '', to_state: 'received', by_user: c.by, at: row.created_at, reason: null, note: null, event: JSON.stringify({ type: 'CREATE', by: c.by, at: row.created_at }) })
        .execute();
      await this.changed(trx, { kind: 'created', case: row });
      return row;
    });
    return created;
  }

  /**
   * Likely repeats of a new request: open cases (not closed or merged) from the same caller, or
   * at the same place (district, and address when given) in the same category, created within
   * `withinDays`. The agent is offered the merge (并单) instead of a second dispatch.
   */
  async likelyRepeats(r: { callerPhone: string; category: string; district?: string; address?: string }, withinDays = 7): Promise<CaseRow[]> {
    if (!r.callerPhone && !r.district) return [];
    const since = new Date(this.now().getTime() - withinDays * 86_400_000).toISOString();
    return this.db
      .selectFrom('cases')
      .selectAll()
      .where('created_at', '>=', since)
      .where('state', 'not in', ['closed', 'merged'])
      .where((eb) => {
        const samePlace = r.district
          ? [eb.and([eb('category', '=', r.category), eb('district', '=', r.district), ...(r.address ? [eb('address', '=', r.address)] : [])])]
          : [];
        // A request filed without a phone (an Open311 app) matches no one by phone.
        const sameCaller = r.callerPhone ? [eb('caller_phone', '=', r.callerPhone)] : [];
        return eb.or([...sameCaller, ...samePlace]);
      })
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
  }

  /**
   * Cases newest first, filtered, a page at a time: `cursor` is the `next` of the previous
   * page (keyset pagination: stable while new cases arrive, and as fast on page 1,000 as on 1).
   */
  async list(f: CaseFilter, limit = 50, cursor?: string): Promise<{ cases: CaseRow[]; next?: string }> {
    if (f.departments?.length === 0) return { cases: [] };
    let q = this.db.selectFrom('cases').selectAll();
    if (f.departments) q = q.where('department', 'in', f.departments);
    if (f.states?.length) q = q.where('state', 'in', f.states);
    if (f.types?.length) q = q.where('type', 'in', f.types);
    if (f.overdue) q = q.where('due_at', '<', this.now().toISOString());
    if (f.from) q = q.where('created_at', '>=', f.from);
    if (f.to) q = q.where('created_at', '<', f.to);
    if (cursor) {
      const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
      if (!at || !id) throw new Error('bad cursor');
      q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { cases: page, next: rows.length > limit && last ? Buffer.from(`${last.created_at}|${last.id}`).toString('base64url') : undefined };
  }

  /** Cases created in [from, to), newest first, by page (Open311's `page`/`page_size`). */
  listPublic(f: { from: string; to: string; states?: string[]; categories?: string[] }, limit: number, offset: number): Promise<CaseRow[]> {
    let q = this.db.selectFrom('cases').selectAll().where('created_at', '>=', f.from).where('created_at', '<', f.to);
    if (f.states) q = q.where('state', 'in', f.states);
    if (f.categories) q = q.where('category', 'in', f.categories);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }

  get(id: string, db: Db = this.db): Promise<CaseRow | undefined> {
    return db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async history(id: string): Promise<Array<CaseEvent | { type: 'CREATE'; by: string; at: string }>> {
    const rows = await this.db.selectFrom('case_events').select('event').where('case_id', '=', id).orderBy('seq').execute();
    return rows.map((r) => JSON.parse(r.event));
  }

  /** The lifecycle state rebuilt from the history alone. */
  async rebuild(id: string): Promise<CaseSnapshot> {
    const events = (await this.history(id)).filter((e): e is CaseEvent => e.type !== 'CREATE');
    return replay(this.rules, events);
  }

  /**
   * Apply one move. Refused with IllegalMove (and nothing written) when the lifecycle does not
   * allow it; CaseChanged when `expectedVersion` is given and someone moved the case first.
   */
  async act(id: string, move: Move, expectedVersion?: number, db?: Db): Promise<CaseRow> {
    const run = async (trx: Db) => {
      const row = await this.get(id, trx);
      if (!row) throw new CaseNotFound(`no case ${id}`);
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw new CaseChanged(`case ${id} is at version ${row.version}, not ${expectedVersion}`);
      const at = move.at ?? this.now().toISOString();
      const event = { ...move, at } as CaseEvent;
      const before = snapshotOf(row);
      const after = apply(before, event);
      const from = stateOf(before);
      const to = stateOf(after);
      const due = this.nextDeadline(row, before, after, event);
      const updated = await trx
        .updateTable('cases')
        .set({
          state: to,
          snapshot: JSON.stringify(caseLifecycle.getPersistedSnapshot(after)),
          version: row.version + 1,
          department: after.context.department,
          updated_at: at,
          ...due,
          // A new deadline is watched from its warning point; an unchanged one as before.
          next_check_at: due.due_at === row.due_at ? row.next_check_at : due.warn_at,
        })
        .where('id', '=', id)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw new CaseChanged(`case ${id} changed while this move was applied`);
      await trx
        .insertInto('case_events')
        .values({ case_id: id, seq: row.version + 1, type: event.type, from_state: from, to_state: to, by_user: event.by, at, reason: event.reason ?? null, note: event.note ?? null, event: JSON.stringify(event) })
        .execute();
      const moved = (await this.get(id, trx))!;
      await this.changed(trx, { kind: 'moved', case: moved, event, from, to, fromDepartment: row.department });
      return moved;
    };
    if (db) return run(db);
    return this.inTransaction(run);
  }

  /**
   * The caller's rating at the callback (回访), in one transaction with what it decides: 满意 and
   * 基本满意 close the case, 不满意 reopens it (重办). Only a replied case can be rated, so each
   * reply is rated once: a second rating is refused with IllegalMove.
   */
  async rate(id: string, rating: Rating, by: string): Promise<CaseRow> {
    const rated = await this.inTransaction(async (trx) => {
      await this.act(id, { type: 'CALLBACK', satisfied: rating !== 'dissatisfied', rating, by }, undefined, trx);
      return rating === 'dissatisfied' ? this.act(id, { type: 'REOPEN', reason: '回访不满意', by }, undefined, trx) : this.act(id, { type: 'CLOSE', by }, undefined, trx);
    });
    return rated;
  }

  /** The deadline the case waits for after a move: each step starts its own clock. */
  private nextDeadline(row: CaseRow, before: CaseSnapshot, after: CaseSnapshot, e: CaseEvent): Pick<CaseRow, 'due_step' | 'due_at' | 'warn_at'> {
    const type = row.type as CaseType;
    const urgency = row.urgency as Urgency;
    const at = new Date(e.at);
    const start = (step: DeadlineStep) => {
      const d = this.policy.deadline(type, urgency, step, at);
      return { due_step: step, due_at: d.at.toISOString(), warn_at: d.warnAt.toISOString() };
    };
    if (e.type === 'APPROVE_EXTENSION' && row.due_at) {
      const d = this.policy.extend(new Date(row.due_at), before.context.pendingExtension ?? 0, at);
      return { due_step: row.due_step, due_at: d.at.toISOString(), warn_at: d.warnAt.toISOString() };
    }
    const state: CaseState = stateOf(after);
    if (state === stateOf(before) && e.type !== 'REOPEN') return { due_step: row.due_step, due_at: row.due_at, warn_at: row.warn_at };
    switch (state) {
      case 'dispatched':
        return start('accept');
      case 'returned':
        return start('dispatch');
      case 'accepted':
        return start('reply');
      case 'in_progress':
        // Starting work keeps the reply deadline; a reopened case (重办) gets a new one.
        return e.type === 'REOPEN' ? start('reply') : { due_step: row.due_step, due_at: row.due_at, warn_at: row.warn_at };
      case 'replied':
        return start('callback');
      default:
        return { due_step: null, due_at: null, warn_at: null };
    }
  }

  /** The cases the scheduler must look at now: those whose next check time has come. */
  dueForCheck(now: string, limit = 500) {
    return this.db.selectFrom('cases').select(['id', 'due_step', 'due_at', 'next_check_at']).where('next_check_at', '<=', now).orderBy('next_check_at').limit(limit);
  }

  /** Open cases past the deadline of the step they wait for, most overdue first. `db`: a transaction's handle. */
  overdue(limit: number, db: Db = this.db): Promise<CaseRow[]> {
    return db.selectFrom('cases').selectAll().where('due_at', '<', this.now().toISOString()).orderBy('due_at').limit(limit).execute();
  }

  /** The case measures of a period (docs/reports.md), for the centre or some departments. */
  measures(period: Period, scope: Scope = {}): Promise<CaseMeasures> {
    return caseMeasures(this.db, period, scope);
  }

  /** The departments' lines of the league table for a period. */
  league(period: Period, scope: Scope = {}): Promise<LeagueLine[]> {
    return caseLeague(this.db, period, scope);
  }

  /** Received, moves by type and satisfaction of a period: the live tiles. */
  tally(period: Period) {
    return caseTally(this.db, period);
  }

  /** The callbacks of a period: 满意度调查. */
  survey(period: Period, scope: Scope = {}): Promise<CaseSurvey> {
    return caseSurvey(this.db, period, scope);
  }

  /** Cases received in consecutive periods, by category and district (topics that rise). */
  receivedByPeriod(periods: Period[], scope: Scope = {}) {
    return receivedByPeriod(this.db, periods, scope);
  }

  /** When the first case was opened. */
  firstCaseAt() {
    return firstCaseAt(this.db);
  }

  /** The descriptions of a period's cases, for the words that rise. */
  descriptions(period: Period) {
    return descriptions(this.db, period);
  }

  /** The newest cases of a period about a category, a district or a word. */
  casesAbout(period: Period, scope: Scope, about: { category?: string; district?: string; word?: string }, limit = 50) {
    return casesAbout(this.db, period, scope, about, limit);
  }

  /** The complaints of a period that name a place. */
  complaintsWithPlace(period: Period, types: string[], scope: Scope = {}) {
    return complaintsWithPlace(this.db, period, types, scope);
  }

  /** The cases past a deadline now, most overdue first. */
  stillOverdue(scope: Scope = {}, limit = 200) {
    return stillOverdue(this.db, this.now().toISOString(), scope, limit);
  }

  /** The calls and conversations that opened a case in the window, with when. */
  contactsWithCase(window: Period) {
    return contactsWithCase(this.db, window);
  }

  /** The cases these calls and conversations opened. */
  casesFromContacts(callSids: string[]) {
    return casesFromContacts(this.db, callSids);
  }

  /** How many cases are past a deadline now (the wallboard). */
  async overdueCount(): Promise<number> {
    const r = await this.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).where('due_at', '<', this.now().toISOString()).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** A department's open cases, newest first: the inbox. */
  inbox(department: string, limit = 50) {
    return this.db
      .selectFrom('cases')
      .selectAll()
      .where('department', '=', department)
      .where('state', 'in', ['dispatched', 'accepted', 'in_progress', 'returned'])
      .orderBy('created_at', 'desc')
      .limit(limit);
  }

  /**
   * The scheduler's pass over cases whose next check time has come: past the warning point or
   * the deadline of the step they wait for. Each miss is a row whose key (case, step, kind,
   * deadline) makes it count once, however many processes scan; an overdue case is put under
   * supervision (督办) in the same transaction, and its next check moves on (deadline, then
   * none). Deadlines are rows, not timers: a restart loses and repeats nothing.
   */
  async scanDeadlines(limit = 500): Promise<DeadlineMiss[]> {
    const now = this.now().toISOString();
    const found: DeadlineMiss[] = [];
    for (const c of await this.dueForCheck(now, limit).execute()) {
      if (!c.due_at || !c.due_step) continue;
      const kind = c.due_at <= now ? 'overdue' : 'warning';
      const miss = await this.inTransaction(async (trx) => {
        const moved = await trx
          .updateTable('cases')
          .set({ next_check_at: kind === 'warning' ? c.due_at : null })
          .where('id', '=', c.id)
          .where('next_check_at', '=', c.next_check_at)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return undefined; // another scanner (or a move) got there first
        const inserted = await trx
          .insertInto('case_deadline_misses')
          .values({ case_id: c.id, step: c.due_step!, kind, due_at: c.due_at!, at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
        let escalated = false;
        if (kind === 'overdue') {
          try {
            await this.act(c.id, { type: 'SUPERVISE', by: 'system', at: now, reason: `超期: ${c.due_step} due ${c.due_at}` }, undefined, trx);
            escalated = true;
          } catch (err) {
            if (!(err instanceof IllegalMove)) throw err; // e.g. still 受理: the centre's own step, recorded but not supervised
          }
        }
        const recorded = { caseId: c.id, step: c.due_step as DeadlineStep, kind, dueAt: c.due_at!, escalated } satisfies DeadlineMiss;
        await this.changed(trx, { kind: 'deadline', case: (await this.get(c.id, trx))!, miss: recorded });
        return recorded;
      });
      if (miss) found.push(miss);
    }
    return found;
  }
}
