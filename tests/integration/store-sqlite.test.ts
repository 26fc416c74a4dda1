import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore, preparedQuery, type Store } from '../../server/store/index.ts';

/**
 * The SQLite store's group commit, watched from a second connection on the same file (as a
 * second process would see it): what it sees is what is committed.
 */
describe('SQLite store: group commit', () => {
  let dir: string;
  let store: Store;
  let db: Kysely<any>;
  let reader: SQLite.Database;
  const committed = () => (reader.prepare('select count(*) as n from t').get() as { n: number }).n;
  const insert = (id: number, v = `v${id}`) => db.insertInto('t').values({ id, v }).execute();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-store-'));
    store = await openStore({ dataDir: dir });
    db = store.db as unknown as Kysely<any>;
    await sql`create table t (id integer primary key, v text not null)`.execute(db);
    reader = new SQLite(path.join(dir, 'hotline.sqlite'), { readonly: true });
  });
  afterAll(async () => {
    reader.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await db.deleteFrom('t').execute();
  });

  it('commits the writes of one event-loop turn together, and acknowledges each only after that commit', async () => {
    const seenAtAck: number[] = [];
    const writes = Array.from({ length: 50 }, (_, i) => insert(i).then(() => seenAtAck.push(committed())));
    // Runs after the writes have executed but before the turn's commit.
    const before = await new Promise<number>((resolve) => setImmediate(() => resolve(committed())));
    await Promise.all(writes);
    expect(before).toBe(0);
    expect(seenAtAck).toEqual(Array(50).fill(50));
    expect(committed()).toBe(50);
  });

  it('a failing write is refused alone; the rest of its turn commits', async () => {
    await insert(1);
    const results = await Promise.allSettled([insert(2), insert(1, 'duplicate'), insert(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(reader.prepare('select id, v from t order by id').all()).toEqual([
      { id: 1, v: 'v1' },
      { id: 2, v: 'v2' },
      { id: 3, v: 'v3' },
    ]);
  });

  it('an explicit transaction has the store to itself: writes issued meanwhile wait, and its rollback does not take them along', async () => {
    let inside = 0;
    const tx = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 100, v: 'rolled back' }).execute();
        await new Promise((r) => setTimeout(r, 30));
        inside = (await trx.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
        throw new Error('abort');
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 5));
    const outside = Promise.all([insert(1), insert(2)]);
    expect(await tx).toBe('abort');
    await outside;
    expect(inside).toBe(1); // the waiting writes were not inside the transaction
    expect(reader.prepare('select id from t order by id').all()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('transactions that start together run one after the other, each whole', async () => {
    const order: string[] = [];
    const tx = (name: string, id: number) =>
      db.transaction().execute(async (trx) => {
        order.push(`${name} begins`);
        await trx.insertInto('t').values({ id, v: name }).execute();
        await new Promise((r) => setTimeout(r, 5));
        order.push(`${name} ends`);
      });
    await Promise.all([tx('a', 1), tx('b', 2), tx('c', 3)]);
    expect(order).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect(committed()).toBe(3);
  });

  it('reads see committed data and the pending writes of their own turn', async () => {
    await insert(7);
    const [, row] = await Promise.all([insert(8), db.selectFrom('t').selectAll().where('id', '=', 8).executeTakeFirst()]);
    expect(row).toEqual({ id: 8, v: 'v8' });
    expect(committed()).toBe(2);
  });

  it('a prepared query binds its named values per run and keeps the constants it was built with', async () => {
    await Promise.all([insert(1, 'a'), insert(2, 'b'), insert(3, 'a'), insert(4, "x'; drop table t; --")]);
    const find = preparedQuery<'v' | 'min', { id: number }>(store.db, (p) =>
      db.selectFrom('t').select('id').where('v', '=', p('v')).where('id', '>=', p('min')).where('id', '<', 4).orderBy('id'),
    );
    expect((await find({ v: 'a', min: 0 })).rows).toEqual([{ id: 1 }, { id: 3 }]);
    expect((await find({ v: 'a', min: 2 })).rows).toEqual([{ id: 3 }]);
    expect((await find({ v: 'b', min: 0 })).rows).toEqual([{ id: 2 }]);
    const rename = preparedQuery<'id' | 'v', never>(store.db, (p) => db.updateTable('t').set({ v: p('v') }).where('id', '=', p('id')));
    expect((await rename({ id: 4, v: "y'; --" })).numAffectedRows).toBe(1n);
    expect(reader.prepare('select v from t where id = 4').get()).toEqual({ v: "y'; --" });
  });
});

describe('SQLite store: background checkpoints', () => {
  it('writes land in the WAL and a worker thread copies them into the database file, off the event loop', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-ckpt-'));
    const store = await openStore({ dataDir: dir, backgroundCheckpoints: true });
    try {
      const db = store.db as unknown as Kysely<any>;
      await sql`create table blob (id integer primary key, v text not null)`.execute(db);
      const file = path.join(dir, 'hotline.sqlite');
      const before = statSync(file).size;
      await Promise.all(Array.from({ length: 400 }, (_, i) => db.insertInto('blob').values({ id: i, v: 'x'.repeat(8000) }).execute()));
      // Committed, but not yet in the database file: the commit did not checkpoint.
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(3_000_000);
      expect(statSync(file).size - before).toBeLessThan(1_000_000);
      const deadline = Date.now() + 5000;
      while (statSync(file).size < 3_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(statSync(file).size).toBeGreaterThan(3_000_000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
