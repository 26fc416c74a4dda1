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
  const opened = () => {
    let q = db.selectFrom('cases').where('created_at', '>=', period.from).where('created_at', '<', period.to);
    if (deps) q = q.where('department', 'in', deps);
    return q;
  };
  const grouped = async (column: 'type' | 'category' | 'district' | 'channel' | 'department'): Promise<Count[]> => {
    const rows = await opened()
      .select([sql<string | null>`${sql.ref(column)}`.as('key'), (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(column)
      .execute();
    return rows.map((r) => ({ key: r.key ?? '', count: Number(r.n) })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  };
  // Moves in the period, by type, of the cases in scope.
  const moves = db
    .selectFrom('case_events as e')
    .innerJoin('cases as c', 'c.id', 'e.case_id')
    .where('e.at', '>=', period.from)
    .where('e.at', '<', period.to);
  const scoped = deps ? moves.where('c.department', 'in', deps) : moves;
  const byMove = new Map(
    (await scoped.select(['e.type as type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('e.type').execute()).map((r) => [r.type, Number(r.n)]),
  );
  const moved = (t: string) => byMove.get(t) ?? 0;

  // On time: a step completed in the period with no overdue miss recorded for that step of that case.
  const onTimeOf = async (step: keyof typeof COMPLETES): Promise<Rate> => {
    const done = await scoped
      .where('e.type', '=', COMPLETES[step])
      .select([
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
      .executeTakeFirst();
    const n = Number(done?.n ?? 0);
    return rate(n - Number(done?.late ?? 0), n);
  };

  // Ratings are in the CALLBACK move itself.
  const ratings = { satisfied: 0, basic: 0, dissatisfied: 0 };
  for (const r of await scoped.where('e.type', '=', 'CALLBACK').select('e.event').execute()) {
    const ev = JSON.parse(r.event) as { rating?: keyof typeof ratings; satisfied?: boolean };
    const rating = ev.rating ?? (ev.satisfied ? 'satisfied' : 'dissatisfied');
    if (rating in ratings) ratings[rating]++;
  }
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
    onTime: { dispatch: await onTimeOf('dispatch'), accept: await onTimeOf('accept'), reply: await onTimeOf('reply') },
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
