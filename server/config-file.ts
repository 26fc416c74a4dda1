import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

/**
 * Reads one of the cases/ configuration files and validates it; every error names the file and
 * the line of the offending key, so a city's editor can fix it at once.
 */
export function readConfigFile<S extends z.ZodType>(file: string, schema: S, fail: (message: string) => Error): z.infer<S> {
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines });
  if (doc.errors.length) throw fail(`${file}:${doc.errors[0]!.linePos?.[0]?.line ?? 1}: ${doc.errors[0]!.message}`);
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as Array<string | number>, true) as { range?: [number] } | undefined;
    const line = node?.range ? lines.linePos(node.range[0]).line : 1;
    throw fail(`${file}:${line}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}
