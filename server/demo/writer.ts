import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/index.ts';

/** Both dialects take this many bound values in one statement with room to spare (SQLite 32,766; PostgreSQL 65,535). */
const MAX_PARAMS = 30_000;
const MAX_ROWS = 1_000;

/**
 * Multi-row inserts of plain rows, straight to the tables like a migration: one statement per
 * few hundred rows, the SQL text of each size built once. Every row of a table must have the
 * same columns in the same order (the first row names them).
 */
export class BulkWriter {
  private readonly texts = new Map<string, string>();

  constructor(private readonly dialect: 'sqlite' | 'postgres') {}

  async insert(db: Kysely<Database> | Transaction<Database>, table: keyof Database, rows: ReadonlyArray<object>): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]!);
    const per = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / columns.length)));
    for (let i = 0; i < rows.length; ) {
      // Full statements, then the rest in power-of-two sizes: a handful of distinct statements per
      // table, which the store prepares once (a prepared 1,000-row insert is not small).
      const left = rows.length - i;
      const size = left >= per ? per : 2 ** Math.floor(Math.log2(left));
      const chunk = rows.slice(i, i + size);
      i += size;
      const params: unknown[] = [];
      for (const row of chunk) {
        const values = row as Record<string, unknown>;
        for (const c of columns) params.push(values[c] ?? null);
      }
      await db.executeQuery(CompiledQuery.raw(this.text(table, columns, chunk.length), params));
    }
  }

  private text(table: string, columns: string[], n: number): string {
    const key = `${table}|${columns.length}|${n}`;
    let text = this.texts.get(key);
    if (!text) {
      const width = columns.length;
      const tuple = (r: number) =>
        `(${columns.map((_, c) => (this.dialect === 'postgres' ? `$${r * width + c + 1}` : '?')).join(',')})`;
      text = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(',')}) values ${Array.from({ length: n }, (_, r) => tuple(r)).join(',')}`;
      this.texts.set(key, text);
    }
    return text;
  }
}
