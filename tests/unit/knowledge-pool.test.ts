import { describe, expect, it } from 'vitest';
import { TermPool } from '../../server/knowledge/pool.ts';

const doc = (n: number, seed: number) => ({
  terms: Int32Array.from({ length: n }, (_, i) => seed * 1000 + i * 3),
  weights: Float32Array.from({ length: n }, (_, i) => 0.1 + ((i * 7 + seed) % 70) / 10),
});

describe('TermPool (every article’s terms and weights in one buffer)', () => {
  it('gives back each article’s terms exactly and its weights to within 1/64, across growth, removal and compaction', () => {
    const pool = new TermPool();
    const live = new Map<number, ReturnType<typeof doc>>();
    // Enough articles to outgrow the first buffer several times, replacing and freeing as a hot reload does.
    for (let round = 0; round < 3; round++) {
      for (let slot = 0; slot < 2000; slot++) {
        if ((slot + round) % 5 === 0) {
          pool.free(slot);
          live.delete(slot);
          continue;
        }
        const d = doc(20 + ((slot * 13 + round) % 200), slot + round);
        pool.put(slot, d.terms, d.weights);
        live.set(slot, d);
      }
    }
    for (const [slot, d] of live) {
      expect(Array.from(pool.terms(slot))).toEqual(Array.from(d.terms));
      const w = pool.weights(slot);
      d.weights.forEach((x, i) => expect(Math.abs(w[i]! - x)).toBeLessThanOrEqual(1 / 64 + 1e-6));
    }
    for (let slot = 0; slot < 2000; slot++) if (!live.has(slot)) expect(pool.terms(slot).length).toBe(0);
    // sumSteps() adds up value × stored step of the asked terms the article has; a term it lacks adds nothing.
    for (const [slot, d] of [...live].slice(0, 200)) {
      const steps = pool.steps(slot);
      const asked = new Map<number, number>();
      d.terms.forEach((t, i) => i % 3 === 0 && asked.set(t, i + 1));
      for (const absent of [d.terms[0]! - 1, d.terms[1]! - 1, d.terms[d.terms.length - 1]! + 1]) if (!d.terms.includes(absent)) asked.set(absent, 1000);
      const terms = Int32Array.from([...asked.keys()].sort((a, b) => a - b));
      const values = Float64Array.from(terms, (t) => asked.get(t)!);
      const expected = d.terms.reduce((sum, t, i) => (i % 3 === 0 ? sum + (i + 1) * steps[i]! : sum), 0);
      expect(pool.sumSteps(slot, terms, values)).toBe(expected);
      // Each term alone gives its own stored step; a term the article lacks gives 0.
      d.terms.forEach((t, i) => expect(pool.sumSteps(slot, Int32Array.of(t), Float64Array.of(1))).toBe(steps[i]));
      for (const absent of [d.terms[0]! - 1, d.terms[1]! - 1, d.terms[d.terms.length - 1]! + 1]) if (!d.terms.includes(absent)) expect(pool.sumSteps(slot, Int32Array.of(absent), Float64Array.of(1))).toBe(0);
    }
  });

  it('keeps a tiny weight above zero, so a weak match still counts', () => {
    const pool = new TermPool();
    pool.put(0, Int32Array.of(5), Float32Array.of(0.001));
    expect(pool.weights(0)[0]).toBeGreaterThan(0);
  });
});
