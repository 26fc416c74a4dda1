import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { Database } from '../store/index.ts';
import type { DepartmentsTable } from '../store/schema.ts';

export const DepartmentCode = z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'a department code in capitals, like HRSS');
const FaxNumber = z.string().regex(/^\+?[0-9]{5,20}$/, 'a fax number in digits, like +862087654321');

const contact = {
  email: z.string().email().max(200).nullable().optional(),
  fax: FaxNumber.nullable().optional(),
  notifyBy: z.enum(['email', 'fax']).optional(),
  phone: z.string().max(40).nullable().optional(),
};

export const NewDepartment = z.object({ code: DepartmentCode, name: z.string().trim().min(1).max(100), ...contact }).strict();
export type NewDepartment = z.infer<typeof NewDepartment>;

export const DepartmentChange = z
  .object({ name: z.string().trim().min(1).max(100).optional(), active: z.boolean().optional(), ...contact })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'name at least one field to change');
export type DepartmentChange = z.infer<typeof DepartmentChange>;

export interface Department {
  code: string;
  name: string;
  /** An inactive department takes no new cases; the ones it holds stay with it. */
  active: boolean;
  email: string | null;
  fax: string | null;
  notifyBy: 'email' | 'fax';
  phone: string | null;
  updatedAt: string;
  updatedBy: string;
}

export class DepartmentExists extends Error {}
export class DepartmentNotFound extends Error {}
export class DepartmentInvalid extends Error {}

function view(r: Selectable<DepartmentsTable>): Department {
  return { code: r.code, name: r.name, active: r.active === 1, email: r.email, fax: r.fax, notifyBy: r.notify_by === 'fax' ? 'fax' : 'email', phone: r.phone, updatedAt: r.updated_at, updatedBy: r.updated_by };
}

/** A department notified by fax needs a fax number, by email an address; checked on the record as it will be stored. */
function checkContact(d: Department): void {
  if (d.notifyBy === 'fax' && !d.fax) throw new DepartmentInvalid(`${d.code} is notified by fax but has no fax number`);
}

/**
 * The department catalogue: who takes cases, and how they are reached. Supervisors keep it
 * current through /api/departments; cases/routing.yaml only seeds it.
 */
export class Departments {
  constructor(private readonly db: Kysely<Database>) {}

  /** Adds the departments the store does not have yet; never changes one a supervisor has edited. */
  async seed(list: ReadonlyArray<{ code: string; name: string }>, by = 'cases/routing.yaml'): Promise<number> {
    if (list.length === 0) return 0;
    const at = new Date().toISOString();
    const r = await this.db
      .insertInto('departments')
      .values(list.map((d) => ({ code: d.code, name: d.name, active: 1, notify_by: 'email', created_at: at, updated_at: at, updated_by: by })))
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0);
  }

  async list(db: Kysely<Database> = this.db): Promise<Department[]> {
    return (await db.selectFrom('departments').selectAll().orderBy('code').execute()).map(view);
  }

  /** `db`: a transaction's handle, to read within it. */
  async get(code: string, db: Kysely<Database> = this.db): Promise<Department | undefined> {
    const r = await db.selectFrom('departments').selectAll().where('code', '=', code).executeTakeFirst();
    return r && view(r);
  }

  async add(d: NewDepartment, by: string): Promise<Department> {
    const at = new Date().toISOString();
    const made: Department = { code: d.code, name: d.name, active: true, email: d.email ?? null, fax: d.fax ?? null, notifyBy: d.notifyBy ?? 'email', phone: d.phone ?? null, updatedAt: at, updatedBy: by };
    checkContact(made);
    const inserted = await this.db
      .insertInto('departments')
      .values({ code: made.code, name: made.name, active: 1, email: made.email, fax: made.fax, notify_by: made.notifyBy, phone: made.phone, created_at: at, updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('code').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new DepartmentExists(`${d.code} is already in the catalogue; change it with PATCH /api/departments/${d.code}`);
    return made;
  }

  async update(code: string, change: DepartmentChange, by: string): Promise<Department> {
    const current = await this.get(code);
    if (!current) throw new DepartmentNotFound(`${code} is not in the catalogue`);
    const next: Department = {
      ...current,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
      updatedAt: new Date().toISOString(),
      updatedBy: by,
    };
    checkContact(next);
    await this.db
      .updateTable('departments')
      .set({ name: next.name, active: next.active ? 1 : 0, email: next.email, fax: next.fax, notify_by: next.notifyBy, phone: next.phone, updated_at: next.updatedAt, updated_by: by })
      .where('code', '=', code)
      .execute();
    return next;
  }
}
