/** Weights are kept in 8 bits, in steps of 1/32 (enough for the ranking; max 7.97). */
const WEIGHT_STEPS = 32;
const MAX_TERM_ID = 2 ** 24 - 1;

/**
 * Every article's terms and their weights, packed into one growing Uint32Array (term id in the
 * high 24 bits, weight in the low 8), in term-id order per article. One flat buffer instead of
 * two typed arrays per article: half the memory a re-rank reads, and no hundred thousand
 * ArrayBuffers for the garbage collector to track in a city-sized index.
 */
export class TermPool {
  data = new Uint32Array(1 << 16);
  start = new Int32Array(1024);
  length = new Int32Array(1024);
  private used = 0;
  private garbage = 0;

  /** An entry's weight is `(entry & 255) / STEPS`. */
  static readonly STEPS = WEIGHT_STEPS;

  static weight(entry: number): number {
    return (entry & 255) / WEIGHT_STEPS;
  }

  /** Store an article's terms (sorted ids) with their weights at `slot`. */
  put(slot: number, terms: Int32Array, weights: Float32Array): void {
    this.free(slot);
    if (slot >= this.start.length) {
      const size = Math.max(slot + 1, this.start.length * 2);
      this.start = grow(this.start, size);
      this.length = grow(this.length, size);
    }
    if (this.used + terms.length > this.data.length) this.compactOrGrow(terms.length);
    const at = this.used;
    for (let i = 0; i < terms.length; i++) {
      const id = terms[i]!;
      if (id > MAX_TERM_ID) throw new Error(`knowledge index: more than ${MAX_TERM_ID} distinct terms`);
      const w = Math.max(1, Math.min(255, Math.round(weights[i]! * WEIGHT_STEPS)));
      this.data[at + i] = ((id << 8) | w) >>> 0;
    }
    this.start[slot] = at;
    this.length[slot] = terms.length;
    this.used += terms.length;
  }

  free(slot: number): void {
    if (slot < this.length.length && this.length[slot]! > 0) {
      this.garbage += this.length[slot]!;
      this.length[slot] = 0;
    }
  }

  terms(slot: number): Int32Array {
    const out = new Int32Array(this.length[slot] ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = this.data[this.start[slot]! + i]! >>> 8;
    return out;
  }

  /**
   * Σ values[j] × the stored step of terms[j] in `slot`, for terms sorted by id (translations
   * may be skipped for English articles by the caller). One pass that narrows each binary search
   * to what is left of the article's terms after the previous term: a few dozen terms cost one
   * walk through the article's entries, read in order, not a dozen scattered probes each.
   */
  sumSteps(slot: number, terms: Int32Array, values: Float64Array): number {
    const data = this.data;
    let lo = this.start[slot]!;
    const end = lo + this.length[slot]!;
    let sum = 0;
    for (let j = 0; j < terms.length && lo < end; j++) {
      const term = terms[j]!;
      let hi = end - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const id = data[mid]! >>> 8;
        if (id < term) lo = mid + 1;
        else if (id > term) hi = mid - 1;
        else {
          sum += values[j]! * (data[mid]! & 255);
          lo = mid + 1;
          break;
        }
      }
    }
    return sum;
  }

  /** The weights of `slot` as stored: whole steps of 1/STEPS, 1..255. */
  steps(slot: number): Uint8Array {
    const out = new Uint8Array(this.length[slot] ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = this.data[this.start[slot]! + i]! & 255;
    return out;
  }

  weights(slot: number): Float32Array {
    const out = new Float32Array(this.length[slot] ?? 0);
    for (let i = 0; i < out.length; i++) out[i] = TermPool.weight(this.data[this.start[slot]! + i]!);
    return out;
  }

  /** Drop what removed articles left behind when it is most of the buffer; otherwise grow. */
  private compactOrGrow(needed: number): void {
    const live = this.used - this.garbage;
    const size = Math.max(this.data.length, (live + needed) * 2);
    const next = new Uint32Array(size);
    let at = 0;
    for (let slot = 0; slot < this.length.length; slot++) {
      const n = this.length[slot]!;
      if (n === 0) continue;
      next.set(this.data.subarray(this.start[slot]!, this.start[slot]! + n), at);
      this.start[slot] = at;
      at += n;
    }
    this.data = next;
    this.used = at;
    this.garbage = 0;
  }
}

function grow(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
