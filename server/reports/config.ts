import { existsSync } from 'node:fs';
import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';
import { CASE_TYPES } from '../cases/deadlines.ts';
import { DepartmentCode } from '../departments/service.ts';

const Name = z.string().min(1);

/**
 * How the centre summarises its figures (cases/reports.yaml): the city's own levels and
 * categories, not code. A category's group is the first group whose pattern matches it
 * ("城市管理/*" matches the category and everything below it), else its first level.
 */
export const ReportsFile = z
  .object({
    categoryGroups: z.array(z.object({ group: Name, categories: z.array(Name).min(1) }).strict()).default([]),
    /** The districts in the order reports list them; others are summed as 其他. */
    districts: z.array(Name).default([]),
    departmentGroups: z.array(z.object({ group: Name, departments: z.array(DepartmentCode).min(1) }).strict()).default([]),
    /** The case types whose repeats about one place form a complaint cluster. */
    complaintTypes: z.array(z.enum(CASE_TYPES)).min(1).default(['投诉', '举报']),
    topics: z
      .object({
        /** A topic rises when it has at least this many cases in the period … */
        minCount: z.number().int().min(1).default(5),
        /** … and at least this many times its baseline (the mean of the periods before). */
        minRatio: z.number().min(1).default(2),
        /** Words never reported as topics (besides one-character words and numbers). */
        stopWords: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .default({ minCount: 5, minRatio: 2, stopWords: [] }),
    clusters: z
      .object({
        /** Complaints about one place that make a cluster. */
        minCases: z.number().int().min(2).default(3),
        /** Cases with a map point and no address are grouped in square cells this wide. */
        cellMeters: z.number().int().min(20).max(5000).default(200),
      })
      .strict()
      .default({ minCases: 3, cellMeters: 200 }),
  })
  .strict();
export type ReportsFile = z.infer<typeof ReportsFile>;

export class ReportsConfigError extends Error {}

function matches(pattern: string, category: string): boolean {
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return category === base || category.startsWith(`${base}/`);
  }
  return pattern.endsWith('*') ? category.startsWith(pattern.slice(0, -1)) : category === pattern;
}

/** The centre's summary levels, read once at start. */
export class ReportsConfig {
  constructor(readonly file: ReportsFile = ReportsFile.parse({})) {}

  static load(path: string): ReportsConfig {
    // Optional: without the file, categories group by their first level and every district is listed.
    if (!existsSync(path)) return new ReportsConfig();
    return new ReportsConfig(readConfigFile(path, ReportsFile, (m) => new ReportsConfigError(m)));
  }

  categoryGroup(category: string): string {
    for (const g of this.file.categoryGroups) if (g.categories.some((p) => matches(p, category))) return g.group;
    return category.split('/')[0] || category;
  }

  district(d: string | null): string {
    if (!d) return '（未填）';
    return this.file.districts.length === 0 || this.file.districts.includes(d) ? d : '其他';
  }

  departmentGroup(code: string): string {
    return this.file.departmentGroups.find((g) => g.departments.includes(code))?.group ?? '其他';
  }
}
