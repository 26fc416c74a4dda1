import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The project's machines run PostgreSQL here (database `test`, user `postgres`, trust auth). */
export const TEST_POSTGRES = process.env.HOTLINE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Which store the integration tests run on: the vitest project sets it (see vitest.config.ts). */
export const testStore = (): 'sqlite' | 'postgres' => (process.env.HOTLINE_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');

/**
 * A schema of its own in the test database, so parallel test files and repeated runs never see
 * each other's rows. Fails (never skips) when PostgreSQL is unreachable.
 */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `hotline_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: TEST_POSTGRES, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_POSTGRES} (${(err as Error).message}); start it (pg_ctlcluster … main start) or set HOTLINE_TEST_POSTGRES`);
  }
  await client.query(`create schema ${schema}`);
  await client.end();
  const url = new URL(TEST_POSTGRES);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => dropPostgres(url.toString()) };
}

/** Drop the schema a `freshPostgres()` URL points at (for a test that restarts on the same store). */
export async function dropPostgres(url: string): Promise<void> {
  const schema = /search_path=(hotline_t_[0-9a-f]+)/.exec(decodeURIComponent(url))?.[1];
  if (!schema) return;
  const c = new pg.Client({ connectionString: TEST_POSTGRES });
  await c.connect();
  await c.query(`drop schema if exists ${schema} cascade`);
  await c.end();
}

/** A fresh store of the project's kind (a SQLite file in a temp dir, or a fresh PostgreSQL schema), and how to remove it. */
export async function freshStore(): Promise<{ store: import('../../server/store/index.ts').Store; cleanup(): Promise<void> }> {
  const { openStore } = await import('../../server/store/index.ts');
  if (testStore() === 'postgres') {
    const pg = await freshPostgres();
    const store = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
    return { store, cleanup: async () => (await store.close(), await pg.drop()) };
  }
  const { mkdtempSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-store-'));
  const store = await openStore({ dataDir: dir });
  return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
}
