import { Document, Encoder } from 'flexsearch';
import type { Article } from './article.ts';
import { KIND_WEIGHT, type KnowledgeEncoder, type Term } from './encoder.ts';
import { TermPool } from './pool.ts';
import { ScoreBuffer } from './scores.ts';

/** One regex object for the module: written inline in `search`, it deoptimised the search on every query. */
const HAN = /\p{Script=Han}/u;

/** How much a term counts by where it stands in the article. */
const FIELD_WEIGHT = { title: 3, questions: 2.6, keywords: 2.4, category: 1.4, voice: 1.5, sms: 1.2, body: 1 } as const;
type Field = keyof typeof FIELD_WEIGHT;

/** Scores below the floor are no evidence at all; at the full mark an answer is certain. */
const STRENGTH_FLOOR = 10;
const STRENGTH_FULL = 35;

/** Articles that reach the final ranking (length and language), by their first-pass score. */
const CANDIDATES = 100;
/**
 * Postings read per query term, whole weight slots at a time, heaviest first: for a term in
 * more articles than this, those where it weighs least are left out.
 */
const POSTINGS_PER_TERM = 4000;
/** Postings walked per question to find candidates; terms past it only refine the candidates' scores. */
const POSTINGS_BUDGET = 20_000;
/** FlexSearch resolution: one slot per stored weight step (8 bits). */
const WEIGHT_SLOTS = 256;

/** A term of the question: its weight by how it arose, and its id in the index (−1: no article has it). */
export interface QueryTerm {
  text: string;
  weight: number;
  id: number;
  kind: Term['kind'];
}

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
 * numeric ids, and a score that files each posting under the term's weight in the article:
 * the field it stands in, title and questions above body) is the posting store: one lookup
 * per query term, never a many-term query (its multi-term `suggest` search costs milliseconds
 * at city scale). Every article holding some of the question's terms scores weight × rarity
 * per term — an article matching only part of the question still counts, which is what
 * `suggest` is for — and the best hundred are ranked with length and language.
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
  /** The article being added: each term's stored weight (1/32 steps), read by FlexSearch's score. */
  private adding = new Map<string, number>();
  private readonly firstScores = new ScoreBuffer();
  /** 1 where the slot holds an English article. */
  private englishSlot = new Uint8Array(0);
  /**
   * Each slot's number of distinct terms, beside englishSlot: the final ranking reads its hundred
   * candidates from these typed arrays, not from a hundred article objects scattered over a
   * heap of hundreds of megabytes (a cache miss each: a quarter of a search's time at 50k).
   */
  private lengthOf = new Float32Array(0);
  private totalLength = 0;
  private readonly english = new Map<string, Article>();

  constructor(private readonly encoder: KnowledgeEncoder) {
    const split = new Encoder({ normalize: false, dedupe: false, numeric: false, split: ' ', cache: false });
    // FlexSearch files each posting under a resolution slot, best first; our score puts it in
    // the slot of the term's stored weight (slot = 255 − weight in 1/32 steps), so a lookup
    // returns the postings with their exact weights and the first pass scores exactly.
    const score = (_content: string[], term: string) => WEIGHT_SLOTS - 1 - (this.adding.get(term) ?? 1);
    this.flex = new Document({ document: { id: 'slot', index: [{ field: 'text', tokenize: 'strict', encoder: split, resolution: WEIGHT_SLOTS, score }] } });
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
    if (slot >= this.englishSlot.length) {
      const size = Math.max(1024, slot * 2);
      const english = new Uint8Array(size);
      english.set(this.englishSlot);
      this.englishSlot = english;
      const lengths = new Float32Array(size);
      lengths.set(this.lengthOf);
      this.lengthOf = lengths;
    }
    this.englishSlot[slot] = article.lang === 'en-US' ? 1 : 0;
    this.lengthOf[slot] = length;
    // The stored (rounded) weights go to FlexSearch, so a restored index ranks as the built one.
    const steps = this.pool.steps(slot);
    this.adding = new Map(Array.from(terms, (id, i) => [this.termText[id]!, steps[i]!]));
    this.flex.add({ slot, text: [...this.adding.keys()].join(' ') });
    this.adding.clear();
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

  private idf(termId: number): number {
    const df = termId >= 0 ? this.df[termId]! : 0;
    const n = this.docs.size;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Query terms, one per text, keeping the strongest way it arose. */
  queryTerms(query: string): QueryTerm[] {
    const best = new Map<string, Term>();
    for (const t of this.encoder.encode(query)) {
      const prev = best.get(t.text);
      if (!prev || KIND_WEIGHT[prev.kind] < KIND_WEIGHT[t.kind]) best.set(t.text, t);
    }
    // A word no article contains was probably mis-heard: its sound then carries the word's weight.
    const inSomeArticle = (word: string) => {
      const id = this.termIds.get(word);
      return id !== undefined && this.df[id]! > 0;
    };
    const weight = (t: Term) => (t.kind === 'sound' && t.of !== undefined && !inSomeArticle(t.of) ? KIND_WEIGHT.word * 0.9 : KIND_WEIGHT[t.kind]);
    return [...best.values()].map((t) => ({ text: t.text, weight: weight(t), id: this.termIds.get(t.text) ?? -1, kind: t.kind }));
  }

  search(query: string, opts: { limit?: number; lang?: string } = {}): SearchResult {
    const limit = opts.limit ?? 5;
    const q = this.queryTerms(query).filter((t) => t.id >= 0 || t.kind !== 'char');
    if (q.length === 0 || this.docs.size === 0) return { hits: [], confidence: 0 };
    const idfs = q.map((t) => this.idf(t.id));
    const candidates = this.firstPass(q, idfs);
    const avgLen = this.totalLength / this.docs.size;
    const englishQuery = !HAN.test(query);
    // When the lexicon has already turned the English question into Chinese terms, a Chinese
    // article is as good an answer (agents read it; the caller is offered the text or an agent).
    const englishBonus = englishQuery && q.some((t) => t.kind === 'translation') ? 1 : 1.08;
    const preferEnglish = opts.lang === 'en-US' ? 1 : opts.lang === 'zh-CN' ? 0 : -1;
    const { slots } = candidates;
    const scores = new Float64Array(slots.length);
    const ranked: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (!this.slots[slot]) continue;
      const english = this.englishSlot[slot] === 1;
      let s = candidates.scores[i]! / TermPool.STEPS;
      s /= 1 + 0.15 * Math.log(1 + this.lengthOf[slot]! / avgLen);
      // A caller asking in English is better served by an English article of equal merit.
      if (englishQuery === english) s *= englishBonus;
      if (preferEnglish === Number(english)) s *= 1.02;
      scores[i] = s;
      if (s > 0) ranked.push(i);
    }
    ranked.sort((a, b) => scores[b]! - scores[a]!);
    // Before any hits array exists: an empty one has another elements kind, and reading one for
    // the first time would deoptimise the search.
    if (ranked.length === 0) return { hits: [], confidence: 0 };
    const hits = ranked.slice(0, limit).map((i): SearchHit => {
      const article = this.slots[slots[i]!]!.article;
      return { id: article.id, score: scores[i]!, article };
    });
    const best = scores[ranked[0]!]!;
    // Confidence: how much evidence the best article has (an absolute score: a vague question
    // matches nothing strongly), and how clearly it beats the runner-up. Calibrated on the eval set.
    const strength = Math.min(1, Math.max(0, (best - STRENGTH_FLOOR) / (STRENGTH_FULL - STRENGTH_FLOOR)));
    const second = ranked.length > 1 ? scores[ranked[1]!]! : 0;
    const margin = (best - second) / best;
    const confidence = Math.round(strength * (0.55 + 0.45 * Math.min(1, margin * 3)) * 1000) / 1000;
    return { hits, confidence };
  }

  /**
   * Scores Σ weight × rarity × the term's stored weight in the article. The question's most
   * telling terms find the candidates: their postings are walked, heaviest weight slot first,
   * until POSTINGS_BUDGET is spent. The rest — common words, and single characters unless the
   * words found almost nothing — only add to the best CANDIDATES, looked up in each one's own
   * sorted terms: a long rambling question costs little more than a short one. The English
   * words' Chinese translations do not count for English articles, which match the words.
   */
  private firstPass(q: QueryTerm[], idfs: number[]): { slots: Int32Array; scores: Float32Array } {
    const buffer = this.firstScores;
    buffer.start(this.slots.length);
    const english = this.englishSlot;
    const value = q.map((t, i) => t.weight * idfs[i]!);
    const order = q
      .map((_, i) => i)
      .filter((i) => q[i]!.id >= 0 && this.df[q[i]!.id]! > 0)
      .sort((x, y) => Number(q[x]!.kind === 'char') - Number(q[y]!.kind === 'char') || value[y]! - value[x]!);
    let walked = 0;
    const refine: number[] = [];
    for (const i of order) {
      const t = q[i]!;
      if (buffer.touchedCount >= 10 && (t.kind === 'char' || walked >= POSTINGS_BUDGET)) {
        refine.push(i);
        continue;
      }
      const bySlot = (this.flex.search(t.text, { index: 'text', resolve: false }) as unknown as { result: Array<number[] | undefined> }).result;
      // Slot b holds the postings whose stored weight step is WEIGHT_SLOTS − 1 − b.
      walked += buffer.addPostings(bySlot, WEIGHT_SLOTS - 1, value[i]!, POSTINGS_PER_TERM, english, t.kind === 'translation');
    }
    const { slots, scores } = buffer.best(CANDIDATES);
    if (refine.length) {
      // Sorted by term id, for one ordered pass through each candidate's terms; English
      // articles skip the translations.
      refine.sort((x, y) => q[x]!.id - q[y]!.id);
      const n = refine.length;
      const terms = new Int32Array(n);
      const values = new Float64Array(n);
      const nativeTerms = new Int32Array(n);
      const nativeValues = new Float64Array(n);
      let native = 0;
      for (let j = 0; j < n; j++) {
        const t = q[refine[j]!]!;
        terms[j] = t.id;
        values[j] = value[refine[j]!]!;
        if (t.kind === 'translation') continue;
        nativeTerms[native] = t.id;
        nativeValues[native++] = values[j]!;
      }
      const englishTerms = nativeTerms.subarray(0, native);
      const englishValues = nativeValues.subarray(0, native);
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k]!;
        scores[k] = scores[k]! + (english[slot] === 1 ? this.pool.sumSteps(slot, englishTerms, englishValues) : this.pool.sumSteps(slot, terms, values));
      }
    }
    return { slots, scores };
  }
}
