import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { openedIn, type Period, type Scope } from './measures.ts';

/** Cases received per period, by category and district: one scan over consecutive periods, oldest first. */
export async function receivedByPeriod(db: Kysely<Database>, periods: Period[], scope: Scope = {}): Promise<Array<{ period: number; category: string; district: string | null; count: number }>> {
  if (periods.length === 0 || (scope.departments && scope.departments.length === 0)) return [];
  const span = { from: periods[0]!.from, to: periods.at(-1)!.to };
  // Which period a case falls in, newest boundary first, so one grouped scan answers them all.
  const bucket = sql<number>`case ${sql.join(
    periods.map((p, i) => [p, i] as const).reverse().map(([p, i]) => sql`when created_at >= ${p.from} then ${sql.lit(i)}`),
    sql` `,
  )} end`;
  const rows = await openedIn(db, span, scope.departments)
    .select([bucket.as('period'), 'category', 'district', (eb) => eb.fn.countAll<number>().as('n')])
    // By position: PostgreSQL would not match a repeated expression whose bounds are parameters.
    .groupBy([sql`1`, 'category', 'district'])
    .execute();
  return rows.map((r) => ({ period: Number(r.period), category: r.category, district: r.district, count: Number(r.n) }));
}

/** The descriptions of the cases received in a period, with their department (words that rise). */
export function descriptions(db: Kysely<Database>, period: Period): Promise<Array<{ department: string | null; description: string }>> {
  return openedIn(db, period, undefined).select(['department', 'description']).execute();
}

/** The newest cases of a period whose category, district or description is this (the cases behind a topic). */
export async function casesAbout(db: Kysely<Database>, period: Period, scope: Scope, about: { category?: string; district?: string; word?: string }, limit = 50): Promise<string[]> {
  if (scope.departments && scope.departments.length === 0) return [];
  let q = openedIn(db, period, scope.departments).select('id');
  if (about.category !== undefined) q = q.where('category', '=', about.category);
  if (about.district !== undefined) q = q.where('district', '=', about.district);
  if (about.word !== undefined) q = q.where('description', 'like', `%${about.word.replace(/[%_\\]/g, '')}%`);
  return (await q.orderBy('created_at', 'desc').limit(limit).execute()).map((r) => r.id);
}

/** The complaints of a period that name a place (an address or a map point): the raw material of clusters. */
export function complaintsWithPlace(db: Kysely<Database>, period: Period, types: string[], scope: Scope = {}) {
  if (scope.departments && scope.departments.length === 0) return Promise.resolve([]);
  return openedIn(db, period, scope.departments)
    .select(['id', 'address', 'district', 'lat', 'lng', 'category'])
    .where('type', 'in', types)
    .where((eb) => eb.or([eb('address', 'is not', null), eb('lat', 'is not', null)]))
    .orderBy('created_at', 'desc')
    .execute();
}

/** Cases past the deadline of the step they wait for at `now`, most overdue first, and how many in all. */
export async function stillOverdue(db: Kysely<Database>, now: string, scope: Scope = {}, limit = 200) {
  if (scope.departments && scope.departments.length === 0) return { count: 0, cases: [] };
  let q = db.selectFrom('cases').where('due_at', '<', now);
  if (scope.departments) q = q.where('department', 'in', scope.departments);
  const count = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await q.select(['id', 'department', 'category', 'district', 'due_step', 'due_at']).orderBy('due_at').limit(limit).execute();
  return { count, cases: rows.map((r) => ({ id: r.id, department: r.department, category: r.category, district: r.district, step: r.due_step, dueAt: r.due_at! })) };
}

/** The calls and text conversations that opened a case in the window, with when the case was opened. */
export async function contactsWithCase(db: Kysely<Database>, window: Period): Promise<Map<string, string>> {
  const rows = await openedIn(db, window, undefined).select(['call_sid', 'created_at']).where('call_sid', 'is not', null).execute();
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.call_sid!) || r.created_at < out.get(r.call_sid!)!) out.set(r.call_sid!, r.created_at);
  return out;
}

/** The cases opened from these contacts, by contact. */
export async function casesFromContacts(db: Kysely<Database>, callSids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < callSids.length; i += 500) {
    for (const r of await db.selectFrom('cases').select(['id', 'call_sid']).where('call_sid', 'in', callSids.slice(i, i + 500)).execute()) {
      const ids = out.get(r.call_sid!);
      if (ids) ids.push(r.id);
      else out.set(r.call_sid!, [r.id]);
    }
  }
  return out;
}

/** When the first case was opened (the start of the record: periods before it have no baseline to give). */
export async function firstCaseAt(db: Kysely<Database>): Promise<string | undefined> {
  const r = await db.selectFrom('cases').select('created_at').orderBy('created_at').limit(1).executeTakeFirst();
  return r?.created_at;
}
