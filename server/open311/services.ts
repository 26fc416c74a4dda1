import { existsSync } from 'node:fs';
import { z } from 'zod';
import { CASE_TYPES } from '../cases/deadlines.ts';
import { readConfigFile } from '../config-file.ts';

const Service = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, - _ . (no spaces)'),
    name: z.string().min(1),
    name_en: z.string().min(1).optional(),
    description: z.string().default(''),
    group: z.string().min(1),
    type: z.enum(CASE_TYPES),
    category: z.string().min(1),
    keywords: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type Service = z.infer<typeof Service>;

const ServicesFile = z
  .object({ services: z.array(Service).min(1) })
  .strict()
  .superRefine((v, ctx) => {
    v.services.forEach((s, i) => {
      if (v.services.findIndex((x) => x.code === s.code) !== i) ctx.addIssue({ code: 'custom', path: ['services', i, 'code'], message: `${s.code} is listed twice` });
    });
  });

export class ServicesError extends Error {}

/** The city's Open311 services (cases/services.yaml): what may be filed, and as which case. */
export class Open311Services {
  private constructor(readonly list: readonly Service[]) {}

  static load(file: string): Open311Services {
    if (!existsSync(file)) throw new ServicesError(`${file}: not found; copy cases/services.yaml from the Hotline repository and adjust it`);
    return new Open311Services(readConfigFile(file, ServicesFile, (m) => new ServicesError(m)).services);
  }

  byCode(code: string): Service | undefined {
    return this.list.find((s) => s.code === code);
  }

  /** The service a case's category belongs to, if it is one. */
  ofCategory(category: string): Service | undefined {
    return this.list.find((s) => s.category === category);
  }
}
