import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

/** Who read which citizen's personal data, and when: every such read is a row, kept with the data. */
export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(username: string, action: string, subjects: string[], address?: string): Promise<void> {
    if (subjects.length === 0) return;
    const at = new Date().toISOString();
    await this.db
      .insertInto('audit_log')
      .values(subjects.map((subject) => ({ id: randomUUID(), at, username, action, subject, address: address ?? null })))
      .execute();
  }

  entries(subject: string) {
    return this.db.selectFrom('audit_log').selectAll().where('subject', '=', subject).orderBy('at').execute();
  }
}
