import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/** A half-open range of instants, ISO timestamps: [from, to). */
export interface Period {
  from: string;
  to: string;
}

/** Whose figures: the whole centre, or some departments (a handler sees only theirs). */
export interface Scope {
  departments?: string[];
}

export interface Count {
  key: string;
  count: number;
}

/** A rate with what it is made of, so every figure can be checked by hand. */
export interface Rate {
  numerator: number;
  denominator: number;
  /** numerator / denominator, or null when nothing was counted. */
  rate: number | null;
}

/** The case measures of one period; each is defined in docs/reports.md. */
export interface CaseMeasures {
  period: Period;
  received: number;
  byType: Count[];
  byCategory: Count[];
  byDistrict: Count[];
  byChannel: Count[];
  byDepartment: Count[];
  dispatched: number;
  onTime: { dispatch: Rate; accept: Rate; reply: Rate };
  returned: number;
  redispatched: number;
  extensionsRequested: number;
  extensionsApproved: number;
  escalations: number;
  merged: number;
  reopened: number;
  replied: number;
  /** Replies whose caller was reached at the callback (回访) and rated. */
  callbackReach: Rate;
  satisfaction: Rate;
  ratings: { satisfied: number; basic: number; dissatisfied: number };
}

export const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, rate: denominator ? numerator / denominator : null });

/** The move that completes each deadline step. */
const COMPLETES: Record<'dispatch' | 'accept' | 'reply', string> = { dispatch: 'DISPATCH', accept: 'ACCEPT', reply: 'REPLY' };

/**
 * Case measures for a period, from this capability's own record (cases, their events and the
 * deadline misses the scheduler wrote once each); the reports capability asks for them through
 * `Cases.measures`. Counts of moves are counted by when the move
 * happened; cases received by when they were opened. A department's figures are its cases'.
 */
export async function caseMeasures(db: Kysely<Database>, period: Period, scope: Scope = {}): Promise<CaseMeasures> {
  const deps = scope.departments;
  if (deps && deps.length === 0) return empty(period);
  const opened = () => openedIn(db, period, deps);
  const grouped = async (column: 'type' | 'category' | 'district' | 'channel' | 'department'): Promise<Count[]> => {
    const rows = await opened()
      .select([sql<string | null>`${sql.ref(column)}`.as('key'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(column)
      .execute();
    return rows.map((r) => ({ key: r.key ?? '', count: Number(r.n) })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  const scoped = movesIn(db, period, deps);
  const byMove = new Map(
    (await scoped.select(['e.type as type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('e.type').execute()).map((r) => [r.type, Number(r.n)]),
  );
  const moved = (t: string) => byMove.get(t) ?? 0;

  const sum = <T>(by: Map<string, T>, f: (t: T) => number) => [...by.values()].reduce((n, t) => n + f(t), 0);
  const onTime = async (step: keyof typeof COMPLETES) => {
    const by = await onTimeBy(scoped, step);
    const n = sum(by, (x) => x.n);
    return rate(n - sum(by, (x) => x.late), n);
  };
  const byDept = await ratingsBy(scoped);
  const ratings = { satisfied: sum(byDept, (r) => r.satisfied), basic: sum(byDept, (r) => r.basic), dissatisfied: sum(byDept, (r) => r.dissatisfied) };
  const rated = ratings.satisfied + ratings.basic + ratings.dissatisfied;
  const received = Number((await opened().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);

  return {
    period,
    received,
    byType: await grouped('type'),
    byCategory: await grouped('category'),
    byDistrict: await grouped('district'),
    byChannel: await grouped('channel'),
    byDepartment: await grouped('department'),
    dispatched: moved('DISPATCH'),
    onTime: { dispatch: await onTime('dispatch'), accept: await onTime('accept'), reply: await onTime('reply') },
    returned: moved('RETURN'),
    redispatched: moved('REDISPATCH'),
    extensionsRequested: moved('REQUEST_EXTENSION'),
    extensionsApproved: moved('APPROVE_EXTENSION'),
    escalations: moved('SUPERVISE'),
    merged: moved('MERGE'),
    reopened: moved('REOPEN'),
    replied: moved('REPLY'),
    callbackReach: rate(moved('CALLBACK'), moved('REPLY')),
    satisfaction: rate(ratings.satisfied + ratings.basic, rated),
    ratings,
  };
}

/** The few case counts the live tiles show, in three queries: received, moves by type, and the callbacks' ratings. */
export async function caseTally(db: Kysely<Database>, period: Period): Promise<{ received: number; moves: Map<string, number>; satisfaction: Rate }> {
  const [opened, moved, rated] = await Promise.all([
    openedIn(db, period, undefined).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    db.selectFrom('case_events').select(['type', (eb) => eb.fn.countAll<number>().as('n')]).where('at', '>=', period.from).where('at', '<', period.to).groupBy('type').execute(),
    ratingsBy(movesIn(db, period, undefined)),
  ]);
  const received = Number(opened?.n ?? 0);
  const moves = new Map(moved.map((r) => [r.type, Number(r.n)]));
  const ratings = [...rated.values()];
  const good = ratings.reduce((n, r) => n + r.satisfied + r.basic, 0);
  return { received, moves, satisfaction: rate(good, good + ratings.reduce((n, r) => n + r.dissatisfied, 0)) };
}

/** Cases opened in the period, in scope. */
export function openedIn(db: Kysely<Database>, period: Period, deps: string[] | undefined) {
  const q = db.selectFrom('cases').where('created_at', '>=', period.from).where('created_at', '<', period.to);
  return deps ? q.where('department', 'in', deps) : q;
}

/** Moves made in the period, of the cases in scope (joined to their case). */
export function movesIn(db: Kysely<Database>, period: Period, deps: string[] | undefined) {
  const moves = db.selectFrom('case_events as e').innerJoin('cases as c', 'c.id', 'e.case_id').where('e.at', '>=', period.from).where('e.at', '<', period.to);
  return deps ? moves.where('c.department', 'in', deps) : moves;
}
export type Moves = ReturnType<typeof movesIn>;

/** Per department: the moves completing `step` in the period, and how many of them came after an overdue miss for that step of that case. */
async function onTimeBy(scoped: Moves, step: keyof typeof COMPLETES): Promise<Map<string, { n: number; late: number }>> {
  const rows = await scoped
    .where('e.type', '=', COMPLETES[step])
    .select([
      'c.department as department',
      (eb) => eb.fn.countAll<number>().as('n'),
      (eb) =>
        eb.fn
          .count<number>('e.case_id')
          .filterWhere(({ exists, selectFrom }) =>
            exists(
              selectFrom('case_deadline_misses as m')
                .select('m.case_id')
                .whereRef('m.case_id', '=', 'e.case_id')
                .where('m.step', '=', step)
                .where('m.kind', '=', 'overdue')
                .whereRef('m.at', '<=', 'e.at'),
            ),
          )
          .as('late'),
    ])
    .groupBy('c.department')
    .execute();
  return new Map(rows.map((r) => [r.department ?? '', { n: Number(r.n), late: Number(r.late) }]));
}

type Ratings = { satisfied: number; basic: number; dissatisfied: number };

/** Per department: the ratings of the callbacks made in the period (the rating is in the CALLBACK move itself). */
async function ratingsBy(scoped: Moves): Promise<Map<string, Ratings>> {
  const by = new Map<string, Ratings>();
  for (const r of await scoped.where('e.type', '=', 'CALLBACK').select(['c.department as department', 'e.event']).execute()) {
    const ev = JSON.parse(r.event) as { rating?: keyof Ratings; satisfied?: boolean };
    const rating = ev.rating ?? (ev.satisfied ? 'satisfied' : 'dissatisfied');
    const d = by.get(r.department ?? '') ?? { satisfied: 0, basic: 0, dissatisfied: 0 };
    if (rating in d) d[rating]++;
    by.set(r.department ?? '', d);
  }
  return by;
}

/** One department's line in the league table. */
export interface LeagueLine {
  department: string;
  received: number;
  accept: Rate;
  reply: Rate;
  satisfaction: Rate;
  /** Cases this department returned (退单) in the period. */
  returned: number;
}

/**
 * Every department with cases received, or acceptances, replies or callbacks made, in the
 * period, from the same grouped queries as the measures (not the measures once per department).
 */
export async function caseLeague(db: Kysely<Database>, period: Period, scope: Scope = {}): Promise<LeagueLine[]> {
  const deps = scope.departments;
  if (deps && deps.length === 0) return [];
  const received = new Map((await openedIn(db, period, deps).select(['department', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('department').execute()).map((r) => [r.department ?? '', Number(r.n)]));
  const scoped = movesIn(db, period, deps);
  const [accept, reply, ratings, returned] = [await onTimeBy(scoped, 'accept'), await onTimeBy(scoped, 'reply'), await ratingsBy(scoped), await returnsBy(db, period, deps)];
  const codes = new Set([...received.keys(), ...accept.keys(), ...reply.keys(), ...ratings.keys(), ...returned.keys()]);
  codes.delete('');
  return [...codes].map((department) => {
    const a = accept.get(department) ?? { n: 0, late: 0 };
    const r = reply.get(department) ?? { n: 0, late: 0 };
    const g = ratings.get(department) ?? { satisfied: 0, basic: 0, dissatisfied: 0 };
    return {
      department,
      received: received.get(department) ?? 0,
      accept: rate(a.n - a.late, a.n),
      reply: rate(r.n - r.late, r.n),
      satisfaction: rate(g.satisfied + g.basic, g.satisfied + g.basic + g.dissatisfied),
      returned: returned.get(department) ?? 0,
    };
  });
}

/**
 * The returns (退单) of a period by the department that returned the case: the one the latest
 * dispatch before the return named (the case may since have gone to another).
 */
async function returnsBy(db: Kysely<Database>, period: Period, deps: string[] | undefined): Promise<Map<string, number>> {
  const returns = await db.selectFrom('case_events').select(['case_id', 'seq']).where('type', '=', 'RETURN').where('at', '>=', period.from).where('at', '<', period.to).execute();
  const out = new Map<string, number>();
  for (let i = 0; i < returns.length; i += 500) {
    const chunk = returns.slice(i, i + 500);
    const dispatches = await db
      .selectFrom('case_events')
      .select(['case_id', 'seq', 'event'])
      .where('case_id', 'in', [...new Set(chunk.map((r) => r.case_id))])
      .where('type', 'in', ['DISPATCH', 'REDISPATCH'])
      .orderBy('seq')
      .execute();
    for (const r of chunk) {
      const by = dispatches.filter((d) => d.case_id === r.case_id && d.seq < r.seq).at(-1);
      const department = by && (JSON.parse(by.event) as { department?: string }).department;
      if (department && (!deps || deps.includes(department))) out.set(department, (out.get(department) ?? 0) + 1);
    }
  }
  return out;
}

function empty(period: Period): CaseMeasures {
  const none = rate(0, 0);
  return {
    period,
    received: 0,
    byType: [],
    byCategory: [],
    byDistrict: [],
    byChannel: [],
    byDepartment: [],
    dispatched: 0,
    onTime: { dispatch: none, accept: none, reply: none },
    returned: 0,
    redispatched: 0,
    extensionsRequested: 0,
    extensionsApproved: 0,
    escalations: 0,
    merged: 0,
    reopened: 0,
    replied: 0,
    callbackReach: none,
    satisfaction: none,
    ratings: { satisfied: 0, basic: 0, dissatisfied: 0 },
  };
}
