import { Document, Encoder } from 'flexsearch';
import type { Article } from './article.ts';
import { KIND_WEIGHT, type KnowledgeEncoder, type Term } from './encoder.ts';
import { TermPool } from './pool.ts';

/** How much a term counts by where it stands in the article. */
const FIELD_WEIGHT = { title: 3, questions: 2.6, keywords: 2.4, category: 1.4, voice: 1.5, sms: 1.2, body: 1 } as const;
type Field = keyof typeof FIELD_WEIGHT;

/** Scores below the floor are no evidence at all; at the full mark an answer is certain. */
const STRENGTH_FLOOR = 10;
const STRENGTH_FULL = 35;

/** How much an article keeps of its score when it covers none of the question's words. */
const COVERAGE_BASE = 0.7;

/** Articles that reach the exact re-rank, by their first-pass score. */
const CANDIDATES = 300;
/**
 * Postings read per query term. FlexSearch keeps each article's terms most important first, so
 * for a term in more articles than this the first ones are those where it weighs most.
 */
const POSTINGS_PER_TERM = 4000;

export interface SearchHit {
  id: string;
  score: number;
  article: Article;
}

export interface SearchResult {
  hits: SearchHit[];
  /** 0..1: how much of the question the best article covers, and how clearly it beats the next. */
  confidence: number;
}

export interface IndexState {
  terms: string[];
  docs: Array<{ id: string; file: string; terms: string; weights: string; length: number }>;
}

interface DocStats {
  /** The article's number in FlexSearch and in the score buffers. */
  slot: number;
  article: Article;
  /** Distinct terms (the article's terms and weights are in the pool at `slot`). */
  length: number;
}

/**
 * The search index. FlexSearch (a Document with one field of exact terms from our encoder,
 * each article's terms most important first, numeric ids) is the posting store: one lookup
 * per query term, never a many-term query (its multi-term `suggest` search costs milliseconds
 * at city scale). A first pass adds each term's weight × rarity over its postings — an
 * article matching only some of the question's terms still counts, which is what `suggest`
 * is for — and the best few hundred articles are then re-ranked exactly, weighing each term
 * by its rarity and by the field it stands in (title and questions above body).
 */
export class KnowledgeIndex {
  private readonly flex: Document;
  private readonly termIds = new Map<string, number>();
  private readonly termText: string[] = [];
  private df: number[] = [];
  private readonly docs = new Map<string, DocStats>();
  private readonly slots: Array<DocStats | undefined> = [];
  private readonly freeSlots: number[] = [];
  private readonly pool = new TermPool();
  /** First-pass scores by slot, and the slots touched: reused by every search, so a search allocates little. */
  private partial = new Float32Array(0);
  private touched = new Int32Array(0);
  private queryValue = new Float32Array(0);
  private translationValue = new Float32Array(0);
  private totalLength = 0;
  private readonly english = new Map<string, Article>();

  constructor(private readonly encoder: KnowledgeEncoder) {
    const split = new Encoder({ normalize: false, dedupe: false, numeric: false, split: ' ', cache: false });
    this.flex = new Document({ document: { id: 'slot', index: [{ field: 'text', tokenize: 'strict', encoder: split }] } });
  }

  get size(): number {
    return this.docs.size;
  }

  get(id: string): Article | undefined {
    return this.docs.get(id)?.article;
  }

  /** The English article of a category, if it has one. */
  englishIn(category: string): Article | undefined {
    return this.english.get(category);
  }

  all(): Article[] {
    return [...this.docs.values()].map((d) => d.article);
  }

  private termId(t: string): number {
    let id = this.termIds.get(t);
    if (id === undefined) {
      id = this.termIds.size;
      this.termIds.set(t, id);
      this.termText[id] = t;
      this.df[id] = 0;
    }
    return id;
  }

  /** The terms of an article with the weight of the best field each appears in. */
  private articleTerms(a: Article): Map<string, number> {
    const fields: Array<[Field, string]> = [
      ['title', a.title],
      ['questions', a.questions.join('。')],
      ['keywords', a.keywords.join('，')],
      ['category', a.category.replace(/\//g, ' ')],
      ['voice', a.voice],
      ['sms', a.sms ?? ''],
      ['body', a.body.replace(/[#>*`|\-[\]()]/g, ' ')],
    ];
    const best = new Map<string, number>();
    const count = new Map<string, number>();
    for (const [field, text] of fields) {
      if (!text) continue;
      for (const t of this.encoder.encode(text)) {
        // Single characters and sounds from the long body are noise; keep them from short fields.
        if (field === 'body' && (t.kind === 'char' || t.kind === 'sound')) continue;
        const w = FIELD_WEIGHT[field] * (t.kind === 'char' || t.kind === 'sound' ? 1 : KIND_WEIGHT[t.kind]);
        if ((best.get(t.text) ?? 0) < w) best.set(t.text, w);
        count.set(t.text, (count.get(t.text) ?? 0) + 1);
      }
    }
    for (const [t, w] of best) best.set(t, w * (1 + 0.25 * Math.log(count.get(t)!)));
    return best;
  }

  /** Add or replace an article. */
  upsert(a: Article): void {
    if (this.docs.has(a.id)) this.remove(a.id);
    const terms = this.articleTerms(a);
    const ids = [...terms.keys()].map((t) => this.termId(t));
    const order = ids.map((_, i) => i).sort((x, y) => ids[x]! - ids[y]!);
    const weights = [...terms.values()];
    this.add(a, Int32Array.from(order.map((i) => ids[i]!)), Float32Array.from(order.map((i) => weights[i]!)), terms.size);
  }

  private add(article: Article, terms: Int32Array, weights: Float32Array, length: number): void {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const stats: DocStats = { slot, article, length };
    this.pool.put(slot, terms, weights);
    for (const id of terms) this.df[id]!++;
    this.docs.set(article.id, stats);
    this.slots[slot] = stats;
    this.totalLength += length;
    if (article.lang === 'en-US' && !this.english.has(article.category)) this.english.set(article.category, article);
    // Most important first: FlexSearch ranks an article by where the term stands in its text.
    // The stored (rounded) weights decide the order, so a restored index ranks as the built one.
    const stored = this.pool.weights(slot);
    const byWeight = Array.from(terms.keys()).sort((x, y) => stored[y]! - stored[x]! || terms[x]! - terms[y]!);
    this.flex.add({ slot, text: byWeight.map((i) => this.termText[terms[i]!]!).join(' ') });
  }

  remove(id: string): void {
    const d = this.docs.get(id);
    if (!d) return;
    for (const t of this.pool.terms(d.slot)) this.df[t]!--;
    this.pool.free(d.slot);
    this.totalLength -= d.length;
    this.docs.delete(id);
    this.slots[d.slot] = undefined;
    this.freeSlots.push(d.slot);
    this.flex.remove(d.slot);
    if (this.english.get(d.article.category) === d.article) {
      this.english.delete(d.article.category);
      const other = [...this.docs.values()].find((x) => x.article.lang === 'en-US' && x.article.category === d.article.category);
      if (other) this.english.set(d.article.category, other.article);
    }
  }

  /** Everything needed to rebuild this index without encoding a single article again. */
  exportState(): IndexState {
    const b64 = (a: Int32Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return {
      terms: [...this.termIds.keys()],
      docs: [...this.docs.values()].map((d) => ({ id: d.article.id, file: d.article.file, terms: b64(this.pool.terms(d.slot)), weights: b64(this.pool.weights(d.slot)), length: d.length })),
    };
  }

  /** Restore from exportState(); articles come from the files, matched by id and file. Returns false if they do not match. */
  importState(state: IndexState, articles: Map<string, Article>): boolean {
    if (state.docs.length !== articles.size || state.docs.some((d) => articles.get(d.id)?.file !== d.file)) return false;
    state.terms.forEach((t) => this.termId(t));
    // FlexSearch's own export of a city-sized index is one string larger than V8 allows, so the
    // cache keeps the encoded terms and FlexSearch is refilled from them: no article is encoded again.
    for (const d of state.docs) {
      const tb = Buffer.from(d.terms, 'base64');
      const wb = Buffer.from(d.weights, 'base64');
      this.add(
        articles.get(d.id)!,
        new Int32Array(tb.buffer.slice(tb.byteOffset, tb.byteOffset + tb.byteLength)),
        new Float32Array(wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength)),
        d.length,
      );
    }
    return true;
  }

  private idf(termId: number | undefined): number {
    const df = termId === undefined ? 0 : this.df[termId] ?? 0;
    const n = this.docs.size;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Query terms, one per text, keeping the strongest way it arose. */
  queryTerms(query: string): Array<{ text: string; weight: number; id: number | undefined; kind: Term['kind'] }> {
    const best = new Map<string, Term>();
    for (const t of this.encoder.encode(query)) {
      const prev = best.get(t.text);
      if (!prev || KIND_WEIGHT[prev.kind] < KIND_WEIGHT[t.kind]) best.set(t.text, t);
    }
    // A word no article contains was probably mis-heard: its sound then carries the word's weight.
    const weight = (t: Term) => (t.kind === 'sound' && t.of !== undefined && !this.df[this.termIds.get(t.of) ?? -1] ? KIND_WEIGHT.word * 0.9 : KIND_WEIGHT[t.kind]);
    return [...best.values()].map((t) => ({ text: t.text, weight: weight(t), id: this.termIds.get(t.text), kind: t.kind }));
  }

  search(query: string, opts: { limit?: number; lang?: string } = {}): SearchResult {
    const limit = opts.limit ?? 5;
    const q = this.queryTerms(query).filter((t) => t.id !== undefined || t.kind !== 'char');
    if (q.length === 0 || this.docs.size === 0) return { hits: [], confidence: 0 };
    const idfs = q.map((t) => this.idf(t.id));
    const candidates = this.firstPass(q, idfs);
    const avgLen = this.totalLength / this.docs.size;
    const englishQuery = !/\p{Script=Han}/u.test(query);
    // When the lexicon has already turned the English question into Chinese terms, a Chinese
    // article is as good an answer (agents read it; the caller is offered the text or an agent).
    const englishBonus = englishQuery && q.some((t) => t.kind === 'translation') ? 1 : 1.08;
    // The question's terms as sorted ids with their weight × rarity, merged against each
    // candidate's sorted term ids: one pass per candidate, no per-term search.
    // The question's terms as dense tables by term id (weight × rarity), so each candidate is
    // scored in one branch-free pass over its packed terms. Translations also go in a table of
    // their own: an English article already matches the English words themselves, and their
    // Chinese translation would count the same evidence twice.
    if (this.queryValue.length < this.termText.length) {
      this.queryValue = new Float32Array(this.termText.length + 1024);
      this.translationValue = new Float32Array(this.termText.length + 1024);
    }
    const qv = this.queryValue;
    const tv = this.translationValue;
    const set: number[] = [];
    let translated = false;
    q.forEach((t, i) => {
      if (t.id === undefined) return;
      qv[t.id] = t.weight * idfs[i]!;
      if (t.kind === 'translation') {
        tv[t.id] = qv[t.id]!;
        translated = true;
      }
      set.push(t.id);
    });
    const scored: SearchHit[] = [];
    const data = this.pool.data;
    for (const slot of candidates) {
      const d = this.slots[slot];
      if (!d) continue;
      const english = d.article.lang === 'en-US';
      const from = this.pool.start[slot]!;
      const to = from + this.pool.length[slot]!;
      let s = 0;
      for (let k = from; k < to; k++) s += qv[data[k]! >>> 8]! * (data[k]! & 255);
      if (translated && english) for (let k = from; k < to; k++) s -= tv[data[k]! >>> 8]! * (data[k]! & 255);
      s /= TermPool.STEPS;
      s /= 1 + 0.15 * Math.log(1 + d.length / avgLen);
      // A caller asking in English is better served by an English article of equal merit.
      if (englishQuery === english) s *= englishBonus;
      if (opts.lang && d.article.lang === opts.lang) s *= 1.02;
      if (s > 0) scored.push({ id: d.article.id, score: s, article: d.article });
    }
    for (const id of set) qv[id] = tv[id] = 0;
    scored.sort((a, b) => b.score - a.score);
    const hits = scored.slice(0, limit);
    const top = hits[0];
    if (!top) return { hits, confidence: 0 };
    // Confidence: how much evidence the best article has (an absolute score: a vague question
    // matches nothing strongly), and how clearly it beats the runner-up. Calibrated on the eval set.
    const strength = Math.min(1, Math.max(0, (top.score - STRENGTH_FLOOR) / (STRENGTH_FULL - STRENGTH_FLOOR)));
    const second = scored[1]?.score ?? 0;
    const margin = (top.score - second) / top.score;
    const confidence = Math.round(strength * (0.55 + 0.45 * Math.min(1, margin * 3)) * 1000) / 1000;
    return { hits, confidence };
  }

  /**
   * Every article holding one of the question's terms scores weight × rarity per term (single
   * characters only when words found nothing); the best CANDIDATES go on to the exact re-rank.
   */
  private firstPass(q: Array<{ text: string; weight: number; id: number | undefined; kind: Term['kind'] }>, idfs: number[]): Int32Array {
    if (this.partial.length < this.slots.length) {
      this.partial = new Float32Array(this.slots.length * 1.25 + 16);
      this.touched = new Int32Array(this.partial.length);
    }
    const partial = this.partial;
    const touched = this.touched;
    let count = 0;
    const collect = (chars: boolean) => {
      for (let i = 0; i < q.length; i++) {
        const t = q[i]!;
        if (t.id === undefined || (t.kind === 'char') !== chars || !this.df[t.id]) continue;
        const value = t.weight * idfs[i]!;
        const found = this.flex.search(t.text, { index: 'text', limit: POSTINGS_PER_TERM }) as Array<{ result: number[] }>;
        for (const slot of found[0]?.result ?? []) {
          if (partial[slot] === 0) touched[count++] = slot;
          partial[slot] = partial[slot]! + value;
        }
      }
    };
    collect(false);
    if (count < 10) collect(true);
    const best = topSlots(partial, touched, count, CANDIDATES);
    for (let i = 0; i < count; i++) partial[touched[i]!] = 0;
    return best;
  }
}

/** The `k` slots with the highest scores (in no particular order), by a min-heap over the touched slots. */
function topSlots(scores: Float32Array, slots: Int32Array, count: number, k: number): Int32Array {
  if (count <= k) return slots.slice(0, count);
  const heap = slots.slice(0, k);
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
