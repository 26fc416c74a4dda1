/**
 * The search engines compared by `npm run bench -- knowledge`, each behind the same small
 * interface, and the worker that measures one engine on one corpus in its own process
 * (so heap figures are not polluted by the other engines and `global.gc` is available).
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { performance } from 'node:perf_hooks';
import type { Article } from '../../server/knowledge/article.ts';
import type { EvalQuestion } from '../../server/knowledge/eval.ts';

const require = createRequire(import.meta.url);

export const ENGINES = ['hotline', 'flexsearch-default', 'flexsearch-cjk', 'minisearch-jieba', 'orama-mandarin', 'orama-jieba'] as const;
export type EngineName = (typeof ENGINES)[number];

/** What each engine is given, for the report. */
export const ENGINE_SETUP: Record<EngineName, { label: string; setup: string }> = {
  hotline: {
    label: 'Hotline (KnowledgeBase)',
    setup:
      '`KnowledgeBase.open({ dir })` on the folder, then, once the heap is measured, `kb.warmUp()` — the warm-up the server\'s `open({ warmUp: true })` runs (≤ 1.5 s, not in the build time) — and `kb.search(q, { limit: 10 })`: its own encoder (jieba words with the articles\' keywords/titles added to the dictionary, sub-words, characters, pinyin, colloquial and English lexicons), a FlexSearch candidate index and its rarity/field re-rank. Build time includes reading and parsing the files.',
  },
  'flexsearch-default': {
    label: 'FlexSearch 0.8 default',
    setup:
      '`new Document({ document: { id, index: [title, questions, keywords, voice, body] } })` with the default encoder and tokenizer; `search(q, { limit: 10, merge: true })` (merge = one list, fields in index order, so title/questions come first).',
  },
  'flexsearch-cjk': {
    label: 'FlexSearch 0.8 Charset.CJK',
    setup:
      'Same Document, every field with `encoder: Charset.CJK` (one term per character); `search(q, { limit: 10, merge: true, suggest: true })` — `suggest` so that a document matching only some of the query\'s characters is still returned (without it, every character of a spoken sentence must occur in one field).',
  },
  'minisearch-jieba': {
    label: 'MiniSearch 7 + jieba',
    setup:
      '`new MiniSearch({ fields: [title, questions, keywords, voice, body], tokenize: jieba })` where jieba = `Jieba.withDict(dict).cutForSearch(text, true)` without whitespace/punctuation tokens (default `processTerm` lower-cases), `searchOptions: { boost: { title: 3, questions: 2, keywords: 1.5 } }` (OR, BM25+, no fuzzy/prefix); top 10 of `search(q)`.',
  },
  'orama-mandarin': {
    label: 'Orama 3 + @orama/tokenizers/mandarin',
    setup:
      '`create({ schema: { title, questions: string[], keywords: string[], voice, body }, components: { tokenizer: createTokenizer() } })` with the Mandarin tokenizer of `@orama/tokenizers` (Intl.Segmenter word boundaries); `search(db, { term: q, limit: 10, boost: { title: 3, questions: 2, keywords: 1.5 } })` (default threshold 1: any term may match).',
  },
  'orama-jieba': {
    label: 'Orama 3 + jieba',
    setup:
      'Same Orama schema and search, `components.tokenizer` = `{ language: \'mandarin\', normalizationCache: new Map(), tokenize: jieba }` (the same jieba tokenizer as MiniSearch, lower-cased) — to separate the engine from the tokenizer.',
  },
};

export interface SearchEngine {
  /** Index the articles (Hotline reads the folder itself and ignores them). */
  build(articles: Article[], onProgress: (done: number) => void): Promise<void> | void;
  search(q: string): string[] | Promise<string[]>;
  /**
   * What the engine does between opening and its first question, run after the heap is measured:
   * the forced full collections of that measurement discard compiled code, so a warm-up done
   * before them would not be the warm-up a server's first callers get.
   */
  ready?(): void;
}

const FIELDS = ['title', 'questions', 'keywords', 'voice', 'body'] as const;
const BOOST = { title: 3, questions: 2, keywords: 1.5 };
const WORDLIKE = /[\p{L}\p{N}]/u;

let jiebaInstance: { cutForSearch(text: string, hmm?: boolean): string[] } | undefined;
export function jiebaTokens(text: string): string[] {
  if (!jiebaInstance) {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jiebaInstance = Jieba.withDict(Buffer.from(dict));
  }
  return jiebaInstance.cutForSearch(text, true).filter((t) => WORDLIKE.test(t));
}

function plain(a: Article) {
  return { id: a.id, title: a.title, questions: a.questions, keywords: a.keywords, voice: a.voice, body: a.body };
}

async function hotline(dir: string, cacheDir: string | undefined, info: Record<string, unknown>): Promise<SearchEngine> {
  const { KnowledgeBase } = await import('../../server/knowledge/service.ts');
  let kb: InstanceType<typeof KnowledgeBase> | undefined;
  if (cacheDir && existsSync(new URL('../../server/knowledge/cache.ts', import.meta.url))) {
    // Time the cache's save and restore from outside (wrapping the methods; the code is unchanged).
    const cacheModule = '../../server/knowledge/cache.ts'; // not a literal: the module is new and may move
    const { IndexCache } = (await import(cacheModule)) as { IndexCache: { prototype: Record<string, (...a: unknown[]) => unknown> } };
    for (const name of ['save', 'restore', 'key'] as const) {
      const orig = IndexCache.prototype[name];
      if (typeof orig !== 'function') continue;
      IndexCache.prototype[name] = function (this: unknown, ...a: unknown[]) {
        const t = performance.now();
        try {
          return orig.apply(this, a);
        } finally {
          info[`cache${name[0]!.toUpperCase()}${name.slice(1)}Ms`] = performance.now() - t;
          const file = (this as { file?: string }).file;
          if (file && existsSync(file)) info.cacheBytes = statSync(file).size;
        }
      };
    }
  }
  return {
    async build() {
      kb = await KnowledgeBase.open(cacheDir ? { dir, cacheDir } : { dir });
      info.restoredFromCache = (kb as unknown as { restoredFromCache?: boolean }).restoredFromCache;
      info.size = kb.size;
      (globalThis as Record<string, unknown>).__hotlineKb = kb; // for the evaluate() cross-check
    },
    search: (q) => kb!.search(q, { limit: 10 }).hits.map((h) => h.id),
    ready() {
      // The server's warm-up (`KnowledgeBase.open({ warmUp: true })` runs the same method).
      const t = performance.now();
      kb!.warmUp();
      info.warmUpMs = performance.now() - t;
    },
  };
}

async function flexsearch(cjk: boolean): Promise<SearchEngine> {
  const { Document, Charset } = (await import('flexsearch')) as typeof import('flexsearch');
  const index = cjk ? FIELDS.map((field) => ({ field, encoder: Charset.CJK })) : [...FIELDS];
  const doc = new Document({ document: { id: 'id', index } as never });
  const opts = cjk ? { limit: 10, merge: true, suggest: true } : { limit: 10, merge: true };
  return {
    build(articles, onProgress) {
      articles.forEach((a, i) => {
        doc.add(plain(a) as never);
        if ((i + 1) % 10_000 === 0) onProgress(i + 1);
      });
    },
    search: (q) => (doc.search(q, opts as never) as unknown as Array<{ id: string }>).slice(0, 10).map((r) => String(r.id)),
  };
}

async function minisearch(): Promise<SearchEngine> {
  const { default: MiniSearch } = await import('minisearch');
  const ms = new MiniSearch({ fields: [...FIELDS], idField: 'id', tokenize: (text: string) => jiebaTokens(text), searchOptions: { boost: BOOST } });
  return {
    build(articles, onProgress) {
      articles.forEach((a, i) => {
        ms.add({ ...plain(a), questions: a.questions.join('\n'), keywords: a.keywords.join('\n') });
        if ((i + 1) % 10_000 === 0) onProgress(i + 1);
      });
    },
    search: (q) => ms.search(q).slice(0, 10).map((r) => String(r.id)),
  };
}

async function orama(tokenizerKind: 'mandarin' | 'jieba'): Promise<SearchEngine> {
  const { create, insert, search } = await import('@orama/orama');
  let tokenizer: unknown;
  if (tokenizerKind === 'mandarin') {
    const { createTokenizer } = await import('@orama/tokenizers/mandarin');
    tokenizer = createTokenizer();
  } else {
    const tok = (raw: string) => [...new Set(jiebaTokens(raw.toLowerCase()))];
    tokenizer = { language: 'mandarin', normalizationCache: new Map(), tokenize: tok };
  }
  const db = create({
    schema: { id: 'string', title: 'string', questions: 'string[]', keywords: 'string[]', voice: 'string', body: 'string' } as const,
    components: { tokenizer: tokenizer as never },
  });
  return {
    async build(articles, onProgress) {
      let i = 0;
      for (const a of articles) {
        const r = insert(db, plain(a));
        if (r && typeof (r as Promise<string>).then === 'function') await r;
        if (++i % 10_000 === 0) onProgress(i);
      }
    },
    search: (q) => {
      const r = search(db, { term: q, limit: 10, boost: BOOST } as never);
      const ids = (x: { hits: Array<{ id: string }> }) => x.hits.map((h) => String(h.id));
      return r && typeof (r as Promise<unknown>).then === 'function' ? (r as Promise<never>).then(ids) : ids(r as never);
    },
  };
}

// ---------------------------------------------------------------- the worker

export interface WorkerSpec {
  engine: EngineName;
  corpus: string;
  dir: string;
  questions: string;
  cacheDir?: string;
  /** The parsed articles of `dir` (v8-serialized by the parent), so competitors skip parsing. */
  articlesFile?: string;
  /** Stop indexing after this long (the shipped articles are indexed first); 0 = no cap. */
  buildCapMs: number;
  /**
   * Query time budget; 0 = none. An engine whose warm-up shows it would need longer answers
   * every k-th question only (a sample across all categories of the eval set).
   */
  queryCapMs: number;
}

export interface Timings {
  p50: number;
  p99: number;
  max: number;
}

export interface WorkerResult {
  engine: EngineName;
  corpus: string;
  docs: number;
  /** Reading and parsing the Markdown files (competitors; not part of their build time). */
  parseMs?: number;
  buildMs: number;
  /** Heap (after a full GC) held once built, minus the heap before anything was read. */
  heapMB: number;
  /** Of which the parsed articles alone (competitors: measured before building). */
  articlesHeapMB?: number;
  rssMB: number;
  recall1: number;
  recall3: number;
  mrr: number;
  answered: number;
  questions: number;
  /** Every k-th question was asked (1 = all). */
  stride: number;
  /** Per question: rank of the expected article (0-based), -1 not in the top 10, null not asked. */
  ranks: Array<number | null>;
  first: Timings;
  repeat?: Timings;
  buildCapped?: { indexed: number; of: number };
  queryCapped?: boolean;
  info: Record<string, unknown>;
  misses: Array<{ q: string; expect: string; got: string[] }>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function timings(xs: number[]): Timings {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p99: Math.round(percentile(s, 99)), max: Math.round(s[s.length - 1] ?? 0) };
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
};
const heapMB = () => process.memoryUsage().heapUsed / 2 ** 20;

export async function runWorker(spec: WorkerSpec, log: (msg: string) => void): Promise<WorkerResult> {
  const { readFolder } = await import('../../server/knowledge/folder.ts');
  const { readQuestions } = await import('../../server/knowledge/eval.ts');
  const questions: EvalQuestion[] = readQuestions(spec.questions);
  const info: Record<string, unknown> = {};
  if (!(globalThis as { gc?: unknown }).gc) info.noGc = true;

  let engine: SearchEngine;
  switch (spec.engine) {
    case 'hotline':
      engine = await hotline(spec.dir, spec.cacheDir, info);
      break;
    case 'flexsearch-default':
      engine = await flexsearch(false);
      break;
    case 'flexsearch-cjk':
      engine = await flexsearch(true);
      break;
    case 'minisearch-jieba':
      engine = await minisearch();
      break;
    case 'orama-mandarin':
      engine = await orama('mandarin');
      break;
    case 'orama-jieba':
      engine = await orama('jieba');
      break;
  }
  if (spec.engine.includes('jieba')) jiebaTokens('预热'); // load the dictionary outside the build time
  gc();
  const heap0 = heapMB();

  let articles: Article[] = [];
  let parseMs: number | undefined;
  let articlesHeapMB: number | undefined;
  let buildCapped: WorkerResult['buildCapped'];
  let buildMs: number;
  let docs: number;
  if (spec.engine === 'hotline') {
    const t = performance.now();
    await engine.build([], () => {});
    buildMs = performance.now() - t;
    docs = Number(info.size);
  } else {
    let t = performance.now();
    const read = spec.articlesFile ? { articles: deserialize(readFileSync(spec.articlesFile)) as Article[] } : readFolder(spec.dir);
    parseMs = performance.now() - t;
    // The shipped articles first, so that a capped build still holds every answer.
    const real = read.articles.filter((a) => !/^g\d{6}-/.test(a.id));
    articles = [...real, ...read.articles.filter((a) => /^g\d{6}-/.test(a.id))];
    read.articles.length = 0;
    gc();
    articlesHeapMB = heapMB() - heap0;
    const all = articles.length;
    // Index in slices (progress, and a time cap that stops early if the budget is spent).
    t = performance.now();
    let done = 0;
    while (done < all) {
      const slice = articles.slice(done, done + 2000);
      await engine.build(slice, () => {});
      done += slice.length;
      if (all >= 10_000 && (done % 10_000 === 0 || done === all)) log(`indexed ${done.toLocaleString('en-US')}/${all.toLocaleString('en-US')} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
      if (spec.buildCapMs > 0 && performance.now() - t > spec.buildCapMs && done < all) {
        buildCapped = { indexed: done, of: all };
        log(`build cap reached: stopping at ${done.toLocaleString('en-US')} of ${all.toLocaleString('en-US')} articles`);
        break;
      }
    }
    buildMs = performance.now() - t;
    docs = done;
    articles = [];
  }
  gc();
  const heap1 = heapMB();
  const rssMB = process.memoryUsage().rss / 2 ** 20;
  log(`built ${docs.toLocaleString('en-US')} articles in ${(buildMs / 1000).toFixed(1)} s, heap +${(heap1 - heap0).toFixed(0)} MB`);
  engine.ready?.();

  // Queries, as server/knowledge/eval.ts evaluate() does: 20 warm-up searches, then each
  // question once, timed alone; then a second pass over the same questions (repeat).
  const run = async (q: string) => {
    const r = engine.search(q);
    return r instanceof Promise ? await r : r;
  };
  const tw = performance.now();
  let warmed = 0;
  for (const { q } of questions.slice(0, 20)) {
    await run(q);
    warmed++;
    if (spec.queryCapMs > 0 && performance.now() - tw > 5000) break; // a slow engine: enough
  }
  const perQuery = (performance.now() - tw) / warmed;
  let stride = 1;
  if (spec.queryCapMs > 0 && perQuery * questions.length > spec.queryCapMs) {
    stride = Math.ceil((perQuery * questions.length) / spec.queryCapMs);
    log(`~${(perQuery / 1000).toFixed(2)} s per question: asking every ${stride}th question (${Math.ceil(questions.length / stride)} of ${questions.length}) to stay within ${(spec.queryCapMs / 1000).toFixed(0)} s`);
  }
  const times: number[] = [];
  const ranks: Array<number | null> = questions.map(() => null);
  let r1 = 0;
  let r3 = 0;
  let rr = 0;
  let answered = 0;
  let queryCapped = false;
  const misses: WorkerResult['misses'] = [];
  const tq = performance.now();
  for (let i = 0; i < questions.length; i += stride) {
    const { q, expect } = questions[i]!;
    const t0 = process.hrtime.bigint();
    const ids = await run(q);
    times.push(Number(process.hrtime.bigint() - t0) / 1000);
    answered++;
    const rank = ids.indexOf(expect);
    ranks[i] = rank;
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 3) r3++;
    if (rank >= 0) rr += 1 / (rank + 1);
    if (rank !== 0) misses.push({ q, expect, got: ids.slice(0, 3) });
    if (spec.queryCapMs > 0 && performance.now() - tq > spec.queryCapMs * 1.5 && i + stride < questions.length) {
      queryCapped = true;
      log(`query time budget exceeded after ${answered} questions`);
      break;
    }
  }
  let repeat: Timings | undefined;
  const firstPassMs = performance.now() - tq;
  info.firstPassMs = firstPassMs;
  // The repeat pass is skipped for an engine whose first pass was slow (bench time budget).
  if (!queryCapped && stride === 1 && firstPassMs < 15_000) {
    const again: number[] = [];
    for (const { q } of questions) {
      const t0 = process.hrtime.bigint();
      await run(q);
      again.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    repeat = timings(again);
  }

  if (spec.engine === 'hotline') {
    // Cross-check against the project's own evaluate() (same index, same questions).
    const { evaluate } = await import('../../server/knowledge/eval.ts');
    const kb = (globalThis as Record<string, unknown>).__hotlineKb as Parameters<typeof evaluate>[0];
    const e = evaluate(kb, questions);
    info.evaluate = { recall_at_1: e.recall_at_1, recall_at_3: e.recall_at_3, mrr: e.mrr, p50_us: e.p50_us, p99_us: e.p99_us };
    info.cacheFileExists = spec.cacheDir ? existsSync(spec.cacheDir) : undefined;
  }

  const n = answered || 1;
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    engine: spec.engine,
    corpus: spec.corpus,
    docs,
    parseMs,
    buildMs,
    heapMB: heap1 - heap0,
    articlesHeapMB,
    rssMB,
    recall1: round(r1 / n),
    recall3: round(r3 / n),
    mrr: round(rr / n),
    answered,
    questions: questions.length,
    stride,
    ranks,
    first: timings(times),
    repeat,
    buildCapped,
    queryCapped,
    info,
    misses,
  };
}
