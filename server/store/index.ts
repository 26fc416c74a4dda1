import path from 'node:path';
import { mkdirSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql, type Compilable, type QueryResult } from 'kysely';
import pg from 'pg';
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
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
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
  return storeOf(db, 'sqlite', async () => {
    await checkpointer?.stop();
  });
}

/** The Store over an open handle; `beforeClose` stops what runs beside it. */
function storeOf(db: Kysely<Database>, dialect: Store['dialect'], beforeClose?: () => Promise<void>): Store {
  return {
    db,
    dialect,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await beforeClose?.();
      await db.destroy();
    },
  };
}

/**
 * PostgreSQL through a connection pool. The connection string may choose a schema with
 * `?options=-c%20search_path%3Dname` (the schema must exist); the tests use that to isolate runs.
 */
async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits 'error' on the pool; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}. Check DATABASE_URL, or unset it to use the embedded SQLite store.`);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrate(db, 'postgres');
  return storeOf(db, 'postgres');
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

async function migrate(db: Kysely<Database>, dialect: Store['dialect'] = 'sqlite'): Promise<void> {
  // On PostgreSQL the migrator must look for its own tables in the schema the store uses: unless
  // told, it takes a kysely_migration table in any schema of the database (another store's) for its own.
  const schema = dialect === 'postgres' ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({ db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) });
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
