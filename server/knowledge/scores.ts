/**
 * The first pass's scores by article slot and the slots it has touched: one buffer reused by
 * every search, so a search allocates little. Its methods are the search's hot loops, kept
 * apart from the search: compiled on their own, they stay compiled when a question the search
 * has not met before deoptimises the search around them (a walk of 20,000 postings run
 * uncompiled takes 3–5 ms).
 */
export class ScoreBuffer {
  private partial = new Float32Array(0);
  private touched = new Int32Array(0);
  private count = 0;

  /** Start a question over articles numbered below `slots`. */
  start(slots: number): void {
    if (this.partial.length < slots) {
      this.partial = new Float32Array(Math.ceil(slots * 1.25) + 16);
      this.touched = new Int32Array(this.partial.length);
    }
    this.count = 0;
  }

  /** Articles scored so far in this question. */
  get touchedCount(): number {
    return this.count;
  }

  /**
   * Adds value × weight step for one term's postings, filed by weight slot heaviest first (slot
   * b: step `topStep − b`), whole slots until `limit` postings are read; English articles are
   * skipped when `skipEnglish` (a translation does not count for them). Returns the postings read.
   */
  addPostings(bySlot: ReadonlyArray<number[] | undefined>, topStep: number, value: number, limit: number, english: Uint8Array, skipEnglish: boolean): number {
    const partial = this.partial;
    const touched = this.touched;
    let count = this.count;
    let read = 0;
    for (let b = 0; b < bySlot.length && read < limit; b++) {
      const ids = bySlot[b];
      if (!ids) continue;
      const v = value * (topStep - b);
      for (let k = 0; k < ids.length; k++) {
        const slot = ids[k]!;
        if (skipEnglish && english[slot] === 1) continue;
        if (partial[slot] === 0) touched[count++] = slot;
        partial[slot] = partial[slot]! + v;
      }
      read += ids.length;
    }
    this.count = count;
    return read;
  }

  /** The `k` best-scored slots (in no particular order) with their scores; clears the buffer for the next question. */
  best(k: number): { slots: Int32Array; scores: Float32Array } {
    const slots = topSlots(this.partial, this.touched, this.count, k);
    const scores = new Float32Array(slots.length);
    for (let i = 0; i < slots.length; i++) scores[i] = this.partial[slots[i]!]!;
    for (let i = 0; i < this.count; i++) this.partial[this.touched[i]!] = 0;
    this.count = 0;
    return { slots, scores };
  }
}

/** The `k` slots with the highest scores (in no particular order), by a min-heap over the touched slots. */
function topSlots(scores: Float32Array, slots: Int32Array, count: number, k: number): Int32Array {
  // One slice for both cases: a branch that only a rare, narrow question takes would have no
  // type feedback, and taking it for the first time deoptimises the search.
  const heap = slots.slice(0, Math.min(k, count));
  if (count <= k) return heap;
  const less = (a: number, b: number) => scores[a]! < scores[b]!;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < k && less(heap[l]!, heap[m]!)) m = l;
      if (r < k && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
  for (let i = k; i < count; i++) {
    const slot = slots[i]!;
    if (less(heap[0]!, slot)) {
      heap[0] = slot;
      down(0);
    }
  }
  return heap;
}
