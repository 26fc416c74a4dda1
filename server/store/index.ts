import path from 'node:path';
import { mkdirSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql } from 'kysely';
import { sqliteDialect } from './sqlite.ts';
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
  return {
    db,
    dialect: 'sqlite',
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
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
