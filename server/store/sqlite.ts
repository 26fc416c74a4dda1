import type SQLite from 'better-sqlite3';
import {
  type CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';

/**
 * Kysely's SQLite driver, rebuilt for a server that answers many webhooks at once:
 *
 * - Group commit. Writes that arrive in the same event-loop turn run inside one transaction
 *   that commits on the next turn; each writer's promise resolves only after that commit, so
 *   an acknowledged write is as durable as before, and the commit (the WAL append, and now
 *   and then a checkpoint) is paid once per turn instead of once per webhook.
 * - No lock for single statements. better-sqlite3 runs each statement to completion
 *   synchronously, so only explicit transactions (which span awaits) need the connection to
 *   themselves; the stock driver's mutex wakes every waiter on each release, which costs a
 *   storm of microtasks when two hundred webhooks are in flight.
 * - One prepared statement per SQL text (parameters are bound, never inlined): preparing
 *   costs more than running a primary-key read.
 *
 * Reads inside a turn see that turn's pending writes (one connection, one process).
 */
export function sqliteDialect(sqlite: SQLite.Database): Dialect {
  return {
    createDriver: () => new GroupCommitDriver(sqlite),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db: Kysely<any>) => new SqliteIntrospector(db),
  };
}

interface Pending {
  result: QueryResult<unknown>;
  resolve: (r: QueryResult<unknown>) => void;
  reject: (e: unknown) => void;
}

class GroupCommitDriver implements Driver {
  private readonly statements = new Map<string, SQLite.Statement>();
  /** The connection handle that holds an explicit transaction, if any. */
  private owner: Handle | undefined;
  private readonly queue: Array<() => void> = [];
  private batch: Pending[] | undefined;

  constructor(private readonly sqlite: SQLite.Database) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new Handle(this);
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    // Check and claim with no await in between: another waiter woken by the same release must not slip in.
    while (this.owner) await new Promise<void>((r) => this.queue.push(r));
    this.owner = conn as Handle;
    this.flush();
    this.sqlite.exec('begin');
  }

  async commitTransaction(): Promise<void> {
    try {
      this.sqlite.exec('commit');
    } finally {
      this.endTransaction();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
    } finally {
      this.endTransaction();
    }
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    // A transaction abandoned without commit or rollback must not hold the store forever.
    if (this.owner === conn) await this.rollbackTransaction();
  }

  async destroy(): Promise<void> {
    this.flush();
    this.sqlite.close();
  }

  /**
   * Runs one statement: inside the caller's transaction, at once when it only reads, and
   * otherwise in this turn's batch, settling when the batch commits.
   */
  async execute(conn: Handle, q: CompiledQuery): Promise<QueryResult<unknown>> {
    while (this.owner && this.owner !== conn) await new Promise<void>((r) => this.queue.push(r));
    const stmt = this.prepare(q.sql);
    if (this.owner === conn || stmt.readonly) return this.run(stmt, q);
    if (!this.batch) {
      this.sqlite.exec('begin');
      this.batch = [];
      setImmediate(() => this.flush());
    }
    let result: QueryResult<unknown>;
    try {
      result = this.run(stmt, q);
    } catch (err) {
      // A constraint error undoes the statement alone and the batch goes on; an error that
      // made SQLite roll the whole transaction back fails every write in it.
      if (!this.sqlite.inTransaction) this.fail(err);
      throw err;
    }
    return new Promise((resolve, reject) => this.batch!.push({ result, resolve, reject }));
  }

  private run(stmt: SQLite.Statement, q: CompiledQuery): QueryResult<unknown> {
    if (stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) };
    const { changes, lastInsertRowid } = stmt.run(q.parameters as unknown[]);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  private flush(): void {
    const batch = this.batch;
    if (!batch) return;
    try {
      this.sqlite.exec('commit');
    } catch (err) {
      this.fail(err);
      return;
    }
    this.batch = undefined;
    for (const p of batch) p.resolve(p.result);
  }

  private fail(err: unknown): void {
    const batch = this.batch ?? [];
    this.batch = undefined;
    if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
    for (const p of batch) p.reject(err);
  }

  private endTransaction(): void {
    this.owner = undefined;
    const waiting = this.queue.splice(0);
    for (const wake of waiting) wake();
  }

  private prepare(sql: string): SQLite.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(sql);
      // Bounded: schema tooling can produce one-off SQL.
      if (this.statements.size >= 500) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

class Handle implements DatabaseConnection {
  constructor(private readonly driver: GroupCommitDriver) {}

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return (await this.driver.execute(this, q)) as QueryResult<R>;
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by the SQLite store');
  }
}
