import { existsSync } from 'node:fs';
import { readConfigFile } from './config-file.ts';
import { z } from 'zod';
import { CASE_TYPES, type CaseType } from './deadlines.ts';

const Code = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a department code in capitals, like HRSS');
const Rule = z
  .object({
    department: Code,
    types: z.array(z.enum(CASE_TYPES)).optional(),
    categories: z.array(z.string().min(1)).optional(),
    districts: z.array(z.string().min(1)).optional(),
    keywords: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const RoutingFile = z
  .object({
    departments: z.array(z.object({ code: Code, name: z.string().min(1) }).strict()).min(1),
    rules: z.array(Rule).default([]),
    fallback: Code,
  })
  .strict()
  .superRefine((v, ctx) => {
    const codes = new Set(v.departments.map((d) => d.code));
    v.departments.forEach((d, i) => {
      if (v.departments.findIndex((x) => x.code === d.code) !== i) ctx.addIssue({ code: 'custom', path: ['departments', i, 'code'], message: `${d.code} is listed twice` });
    });
    v.rules.forEach((r, i) => {
      if (!codes.has(r.department)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'department'], message: `${r.department} is not in the department catalogue` });
      if (!r.types && !r.categories && !r.districts && !r.keywords) ctx.addIssue({ code: 'custom', path: ['rules', i], message: 'a rule needs at least one condition' });
    });
    if (!codes.has(v.fallback)) ctx.addIssue({ code: 'custom', path: ['fallback'], message: `${v.fallback} is not in the department catalogue` });
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

/** Chooses the department a case goes to, by the city's rules (cases/routing.yaml). */
export class Router {
  constructor(readonly file: RoutingFile) {}

  static load(file: string): Router {
    if (!existsSync(file)) throw new RoutingError(`${file}: not found; copy cases/routing.yaml from the Hotline repository and adjust it`);
    return new Router(readConfigFile(file, RoutingFile, (m) => new RoutingError(m)));
  }

  departmentName(code: string): string | undefined {
    return this.file.departments.find((d) => d.code === code)?.name;
  }

  route(r: RoutingRequest): RoutingDecision {
    const i = this.file.rules.findIndex(
      (rule) =>
        (!rule.types || rule.types.includes(r.type)) &&
        (!rule.categories || rule.categories.some((p) => categoryMatches(p, r.category))) &&
        (!rule.districts || (r.district !== undefined && rule.districts.includes(r.district))) &&
        (!rule.keywords || rule.keywords.some((k) => r.description.includes(k))),
    );
    if (i >= 0) return { department: this.file.rules[i]!.department, because: `rule ${i + 1}` };
    const byArticle = r.articleDepartment && this.file.departments.find((d) => d.name === r.articleDepartment || d.code === r.articleDepartment);
    if (byArticle) return { department: byArticle.code, because: 'article' };
    return { department: this.file.fallback, because: 'fallback' };
  }
}
