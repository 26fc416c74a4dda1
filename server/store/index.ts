import path from 'node:path';
import { mkdirSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql, type Compilable, type QueryResult } from 'kysely';
import { sqliteDialect } from './sqlite.ts';
import { startCheckpointer } from './checkpoint.ts';
import type { Database } from './schema.ts';
import { migrationProvider } from './migrations.ts';

export type { Database } from './schema.ts';

/**
 * The one store every capability sees: an asynchronous, typed query builder over SQLite
 * (embedded default) or PostgreSQL. Capabilities get `db` and touch only their own tables.
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Resolves when the store answers a trivial query; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** For tests: a specific SQLite file instead of `<dataDir>/hotline.sqlite`. */
  sqliteFile?: string;
  /** SQLite: checkpoint the WAL from a worker thread instead of inside commits (the server does). */
  backgroundCheckpoints?: boolean;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  if (opts.databaseUrl) {
    throw new Error(
      'DATABASE_URL is set, but the PostgreSQL store arrives with the cases capability. ' +
        'Unset DATABASE_URL to run on the embedded SQLite store under HOTLINE_DATA_DIR.',
    );
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = opts.sqliteFile ?? path.join(opts.dataDir, 'hotline.sqlite');
  const sqlite = new SQLite(file);
  // WAL lets readers proceed while a webhook writes; busy_timeout rides out a second process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: sqliteDialect(sqlite) });
  await migrate(db);
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined;
  if (opts.backgroundCheckpoints) {
    sqlite.pragma('wal_autocheckpoint = 0');
    checkpointer = startCheckpointer(file);
  }
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Store migration ${failed?.migrationName ?? ''} failed: ${String(error)}. The store was left at its previous version.`);
  }
}

const PARAM = '\u0000param:';

/**
 * A query built and compiled once, run many times with new values: on a webhook's hot path,
 * building and compiling the query costs more than SQLite spends running it. `build` gets a
 * `param(name)` to put where a value goes; the values are bound at run time, never inlined.
 */
export function preparedQuery<P extends string, O>(
  db: Kysely<Database>,
  build: (param: (name: P) => any) => Compilable<O>,
): (values: Record<P, unknown>) => Promise<QueryResult<O>> {
  const compiled = build((name) => PARAM + name).compile();
  // Each bound parameter is either a named value supplied per run or a constant of the query.
  const slots: Array<{ name: P } | { value: unknown }> = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(PARAM) ? { name: p.slice(PARAM.length) as P } : { value: p }));
  return (values) => {
    const parameters = slots.map((s) => ('name' in s ? values[s.name] : s.value));
    return db.executeQuery<O>({ ...compiled, parameters });
  };
}
