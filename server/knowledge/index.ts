import { Document, Encoder } from 'flexsearch';
import type { Article } from './article.ts';
import { KIND_WEIGHT, type KnowledgeEncoder, type Term } from './encoder.ts';

/** How much a term counts by where it stands in the article. */
const FIELD_WEIGHT = { title: 3, questions: 2.6, keywords: 2.4, category: 1.4, voice: 1.5, sms: 1.2, body: 1 } as const;
type Field = keyof typeof FIELD_WEIGHT;

/** Scores below the floor are no evidence at all; at the full mark an answer is certain. */
const STRENGTH_FLOOR = 10;
const STRENGTH_FULL = 35;

/** How much an article keeps of its score when it covers none of the question's words. */
const COVERAGE_BASE = 0.7;

/** Candidates taken from FlexSearch for the re-rank, found by at most this many of the question's rarest terms. */
const CANDIDATES = 150;
const CANDIDATE_TERMS = 8;
/** Terms in more than this share of articles are too common to find candidates with. */
const COMMON_SHARE = 0.05;

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
  article: Article;
  terms: Int32Array; // sorted term ids
  weights: Float32Array;
  length: number;
}

/**
 * The search index: FlexSearch (Document, one combined field, exact terms from our encoder)
 * finds candidates fast; a re-rank then weighs each query term by its rarity (FlexSearch
 * does not) and by the field it matched in (title and questions above body).
 */
export class KnowledgeIndex {
  private readonly flex: Document;
  private readonly termIds = new Map<string, number>();
  private readonly termText: string[] = [];
  private df: number[] = [];
  private readonly docs = new Map<string, DocStats>();
  private totalLength = 0;
  private readonly english = new Map<string, Article>();

  constructor(private readonly encoder: KnowledgeEncoder) {
    const split = new Encoder({ normalize: false, dedupe: false, split: ' ', cache: false });
    this.flex = new Document({ document: { id: 'id', index: [{ field: 'text', tokenize: 'strict', encoder: split }] } });
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
    const stats: DocStats = {
      article: a,
      terms: Int32Array.from(order.map((i) => ids[i]!)),
      weights: Float32Array.from(order.map((i) => weights[i]!)),
      length: terms.size,
    };
    for (const id of stats.terms) this.df[id]!++;
    this.docs.set(a.id, stats);
    this.totalLength += stats.length;
    if (a.lang === 'en-US' && !this.english.has(a.category)) this.english.set(a.category, a);
    // Terms in id order, as a restored index adds them, so both rank alike.
    this.flex.add({ id: a.id, text: Array.from(stats.terms, (t) => this.termText[t]!).join(' ') });
  }

  remove(id: string): void {
    const d = this.docs.get(id);
    if (!d) return;
    for (const t of d.terms) this.df[t]!--;
    this.totalLength -= d.length;
    this.docs.delete(id);
    this.flex.remove(id);
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
      docs: [...this.docs.values()].map((d) => ({ id: d.article.id, file: d.article.file, terms: b64(d.terms), weights: b64(d.weights), length: d.length })),
    };
  }

  /** Restore from exportState(); articles come from the files, matched by id and file. Returns false if they do not match. */
  importState(state: IndexState, articles: Map<string, Article>): boolean {
    if (state.docs.length !== articles.size || state.docs.some((d) => articles.get(d.id)?.file !== d.file)) return false;
    state.terms.forEach((t) => this.termId(t));
    for (const d of state.docs) {
      const tb = Buffer.from(d.terms, 'base64');
      const wb = Buffer.from(d.weights, 'base64');
      const stats: DocStats = {
        article: articles.get(d.id)!,
        terms: new Int32Array(tb.buffer.slice(tb.byteOffset, tb.byteOffset + tb.byteLength)),
        weights: new Float32Array(wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength)),
        length: d.length,
      };
      for (const id of stats.terms) this.df[id]!++;
      this.docs.set(d.id, stats);
      this.totalLength += stats.length;
      if (stats.article.lang === 'en-US' && !this.english.has(stats.article.category)) this.english.set(stats.article.category, stats.article);
    }
    // FlexSearch's own export of a city-sized index is one string larger than V8 allows, so the
    // cache keeps the encoded terms and FlexSearch is refilled from them: no article is encoded again.
    for (const d of this.docs.values()) this.flex.add({ id: d.article.id, text: Array.from(d.terms, (t) => this.termText[t]!).join(' ') });
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
    // Candidates from the rarest informative terms: a word in every tenth article (办理, 示例市)
    // finds nothing the rare ones do not, and its long lists are what makes a search slow.
    const n = this.docs.size;
    const informative = q
      .filter((t) => t.kind !== 'char' && t.kind !== 'part' && t.id !== undefined)
      .map((t) => ({ t, df: this.df[t.id!] ?? 0 }))
      .filter((x) => x.df > 0)
      .sort((a, b) => a.df - b.df);
    const rare = informative.filter((x, i) => i < CANDIDATE_TERMS && (i < 3 || x.df <= n * COMMON_SHARE)).map((x) => x.t);
    const pick = (terms: typeof q) =>
      terms.length ? ((this.flex.search(terms.map((t) => t.text).join(' '), { limit: CANDIDATES, suggest: true }) as Array<{ result: string[] }>)[0]?.result ?? []) : [];
    let candidates = pick(rare);
    if (candidates.length < 10) {
      const more = q.filter((t) => t.id !== undefined && (this.df[t.id] ?? 0) <= Math.max(n * COMMON_SHARE, 50)).sort((a, b) => (this.df[a.id!] ?? 0) - (this.df[b.id!] ?? 0)).slice(0, CANDIDATE_TERMS * 2);
      candidates = [...new Set([...candidates, ...pick(more)])];
    }

    const idfs = q.map((t) => this.idf(t.id));
    const avgLen = this.totalLength / this.docs.size;
    const englishQuery = !/\p{Script=Han}/u.test(query);
    // When the lexicon has already turned the English question into Chinese terms, a Chinese
    // article is as good an answer (agents read it; the caller is offered the text or an agent).
    const englishBonus = englishQuery && q.some((t) => t.kind === 'translation') ? 1 : 1.08;
    // The question's terms as sorted ids with their weight × rarity, merged against each
    // candidate's sorted term ids: one pass per candidate, no per-term search.
    const qs = q
      .map((t, i) => ({ id: t.id, value: t.weight * idfs[i]!, translation: t.kind === 'translation' }))
      .filter((x): x is { id: number; value: number; translation: boolean } => x.id !== undefined)
      .sort((a, b) => a.id - b.id);
    const scored: SearchHit[] = [];
    for (const id of candidates) {
      const d = this.docs.get(id);
      if (!d) continue;
      const english = d.article.lang === 'en-US';
      let s = 0;
      for (let i = 0, j = 0; i < qs.length && j < d.terms.length; ) {
        const qi = qs[i]!;
        const dj = d.terms[j]!;
        if (qi.id < dj) i++;
        else if (qi.id > dj) j++;
        else {
          // An English article already matches the English words themselves; their Chinese
          // translation would count the same evidence twice.
          if (!(qi.translation && english)) s += qi.value * d.weights[j]!;
          i++;
        }
      }
      s /= 1 + 0.15 * Math.log(1 + d.length / avgLen);
      // A caller asking in English is better served by an English article of equal merit.
      if (englishQuery === english) s *= englishBonus;
      if (opts.lang && d.article.lang === opts.lang) s *= 1.02;
      if (s > 0) scored.push({ id, score: s, article: d.article });
    }
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
}
