import { existsSync } from 'node:fs';
import { readConfigFile } from '../config-file.ts';
import { z } from 'zod';
import { CASE_TYPES, type CaseType } from './deadlines.ts';
import { DepartmentCode, type Department } from '../departments/service.ts';

const Code = DepartmentCode;
const Rule = z
  .object({
    department: Code,
    types: z.array(z.enum(CASE_TYPES)).optional(),
    categories: z.array(z.string().min(1)).optional(),
    districts: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((r) => r.types || r.categories || r.districts || r.keywords, 'a rule needs at least one condition');

export const RoutingFile = z
  .object({
    /** Seeds the department catalogue in the store on first start; after that supervisors keep it there. */
    departments: z.array(z.object({ code: Code, name: z.string().min(1) }).strict()).default([]),
    rules: z.array(Rule).default([]),
    fallback: Code,
  })
  .strict()
  .superRefine((v, ctx) => {
    v.departments.forEach((d, i) => {
      if (v.departments.findIndex((x) => x.code === d.code) !== i) ctx.addIssue({ code: 'custom', path: ['departments', i, 'code'], message: `${d.code} is listed twice` });
    });
  });
export type RoutingFile = z.infer<typeof RoutingFile>;

export class RoutingError extends Error {}

export interface RoutingRequest {
  type: CaseType;
  category: string;
  district?: string;
  description: string;
  /** The department named by the knowledge article the case was created from. */
  articleDepartment?: string;
}

export interface RoutingDecision {
  department: string;
  /** Why, for the agent who confirms the dispatch: `rule 3`, `article`, or `fallback`. */
  because: string;
}

function categoryMatches(pattern: string, category: string): boolean {
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return category === base || category.startsWith(`${base}/`);
  }
  if (pattern.endsWith('*')) return category.startsWith(pattern.slice(0, -1));
  return category === pattern;
}

/** A department as routing sees it: the catalogue's active entries. */
export type RoutingDepartment = Pick<Department, 'code' | 'name' | 'active'>;

/** Chooses the department a case goes to, by the city's rules (cases/routing.yaml) and the current catalogue. */
export class Router {
  private constructor(
    readonly file: RoutingFile,
    private readonly source: string,
  ) {}

  static load(file: string): Router {
    if (!existsSync(file)) throw new RoutingError(`${file}: not found; copy cases/routing.yaml from the Hotline repository and adjust it`);
    return new Router(readConfigFile(file, RoutingFile, (m) => new RoutingError(m)), file);
  }

  /**
   * Every department the rules and the fallback name must be in the catalogue (the store's,
   * which the file's own list seeds); the error names the file and line of the first that is not.
   */
  checkAgainst(catalogue: readonly RoutingDepartment[]): void {
    const known = new Set(catalogue.map((d) => d.code));
    const schema = RoutingFile.superRefine((v, ctx) => {
      v.rules.forEach((r, i) => {
        if (!known.has(r.department)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'department'], message: `${r.department} is not in the department catalogue` });
      });
      if (!known.has(v.fallback)) ctx.addIssue({ code: 'custom', path: ['fallback'], message: `${v.fallback} is not in the department catalogue` });
    });
    readConfigFile(this.source, schema, (m) => new RoutingError(`${m} (add it under departments: in this file, or with POST /api/departments)`));
  }

  get fallback(): string {
    return this.file.fallback;
  }

  /**
   * The first rule whose department takes cases wins; then the article's department; then the
   * fallback desk, which is never inactive.
   */
  route(r: RoutingRequest, catalogue: readonly RoutingDepartment[]): RoutingDecision {
    const open = new Map(catalogue.filter((d) => d.active).map((d) => [d.code, d]));
    const i = this.file.rules.findIndex(
      (rule) =>
        open.has(rule.department) &&
        (!rule.types || rule.types.includes(r.type)) &&
        (!rule.categories || rule.categories.some((p) => categoryMatches(p, r.category))) &&
        (!rule.districts || (r.district !== undefined && rule.districts.includes(r.district))) &&
        (!rule.keywords || rule.keywords.some((k) => r.description.includes(k))),
    );
    if (i >= 0) return { department: this.file.rules[i]!.department, because: `rule ${i + 1}` };
    const byArticle = r.articleDepartment && [...open.values()].find((d) => d.name === r.articleDepartment || d.code === r.articleDepartment);
    if (byArticle) return { department: byArticle.code, because: 'article' };
    return { department: this.file.fallback, because: 'fallback' };
  }
}
