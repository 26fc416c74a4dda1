import { describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index.ts';
import { freshPostgres } from '../helpers/postgres.ts';

describe('PostgreSQL store', () => {
  it('an unreachable DATABASE_URL is a clear start-up error that names the server but not the password', async () => {
    const err = await openStore({ dataDir: '/nonexistent', databaseUrl: 'postgres://hotline:s3cret-pw@127.0.0.1:1/hotline' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Cannot reach PostgreSQL at postgres:\/\/hotline:\*\*\*@127\.0\.0\.1:1\/hotline/);
    expect(err?.message).toMatch(/unset it to use the embedded SQLite store/);
    expect(err?.message).not.toContain('s3cret-pw');
  });

  it('migrates an empty schema once, and a second process opening it finds it current', async () => {
    const pg = await freshPostgres();
    try {
      const a = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
      const b = await openStore({ dataDir: '/nonexistent', databaseUrl: pg.url });
      expect(a.dialect).toBe('postgres');
      const tables = await a.db.introspection.getTables();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['calls', 'flow_versions', 'flow_aliases', 'sms_sessions', 'sms_opt_outs', 'knowledge_answers']));
      await b.ping();
      await a.close();
      await b.close();
    } finally {
      await pg.drop();
    }
  });
});
