import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { KnowledgeBase } from './service.ts';

export const EvalQuestions = z.array(z.object({ q: z.string().min(1), expect: z.string().min(1) })).min(1);
export type EvalQuestion = z.infer<typeof EvalQuestions>[number];

export interface EvalReport {
  recall_at_1: number;
  recall_at_3: number;
  mrr: number;
  p50_us: number;
  p99_us: number;
  questions: number;
  misses: Array<{ q: string; expect: string; got: string[]; rank: number | null }>;
}

export function readQuestions(file: string): EvalQuestion[] {
  const parsed = EvalQuestions.safeParse(parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: ${i.path.join('.')}: ${i.message} (expected a YAML list of { q: question, expect: article id })`);
  }
  return parsed.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** recall@1, recall@3, MRR (over the top 10) and query time, with every miss listed. */
export function evaluate(kb: KnowledgeBase, questions: EvalQuestion[]): EvalReport {
  for (const { q } of questions.slice(0, 20)) kb.search(q, { limit: 10 }); // warm caches and JIT
  const times: number[] = [];
  let r1 = 0;
  let r3 = 0;
  let rr = 0;
  const misses: EvalReport['misses'] = [];
  for (const { q, expect } of questions) {
    const t0 = process.hrtime.bigint();
    const res = kb.search(q, { limit: 10 });
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
    const ids = res.hits.map((h) => h.id);
    const rank = ids.indexOf(expect);
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 3) r3++;
    if (rank >= 0) rr += 1 / (rank + 1);
    if (rank !== 0) misses.push({ q, expect, got: ids.slice(0, 3), rank: rank >= 0 ? rank + 1 : null });
  }
  times.sort((a, b) => a - b);
  const n = questions.length;
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    recall_at_1: round(r1 / n),
    recall_at_3: round(r3 / n),
    mrr: round(rr / n),
    p50_us: Math.round(percentile(times, 50)),
    p99_us: Math.round(percentile(times, 99)),
    questions: n,
    misses,
  };
}
