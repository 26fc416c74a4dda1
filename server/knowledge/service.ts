import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.ts';
import { parseArticle, type Article, type ArticleProblem } from './article.ts';
import { crossChecks, readFolder } from './folder.ts';
import { KnowledgeEncoder } from './encoder.ts';
import { KnowledgeIndex, type SearchResult } from './index.ts';
import { Lexicon } from './lexicon.ts';
import { IndexCache } from './cache.ts';
import { warmUpQueries } from './warmup.ts';

export type { SearchResult, SearchHit } from './index.ts';

/** What a caller-facing channel should do with a result. */
export type AnswerDecision = 'answer' | 'rephrase' | 'human';

export const CONFIDENCE = { answer: 0.45, rephrase: 0.2 } as const;

const WARM_UP = 2000;
const WARM_UP_MS = 1500;

export function decide(result: SearchResult): AnswerDecision {
  if (!result.hits.length || result.confidence < CONFIDENCE.rephrase) return 'human';
  return result.confidence >= CONFIDENCE.answer ? 'answer' : 'rephrase';
}

export interface KnowledgeOptions {
  dir: string;
  /** Where to keep the built index, so a large knowledge base is not re-encoded on every start. */
  cacheDir?: string;
  log?: Logger;
  /** Watch the folder and apply edits as they happen. */
  watch?: boolean;
  /**
   * The process will answer searches for a while (the server; `kb eval`, which measures the
   * server's query time): warm the search before open returns. A one-shot search skips it.
   */
  warmUp?: boolean;
}

/**
 * The knowledge capability: reads a folder of articles, keeps an index of the last good
 * version of each file, and answers searches for every channel. A broken edit is reported
 * and the previous version of that article keeps answering.
 */
export class KnowledgeBase {
  readonly dir: string;
  private index!: KnowledgeIndex;
  private encoder!: KnowledgeEncoder;
  private lexicon!: Lexicon;
  /** The last good article of each file, by relative path. */
  private byFile = new Map<string, Article>();
  private problems = new Map<string, ArticleProblem[]>();
  private watcher?: FSWatcher;
  private pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  /** Whether the last full load came from the saved index rather than encoding every article. */
  restoredFromCache = false;

  constructor(private readonly opts: KnowledgeOptions) {
    this.dir = path.resolve(opts.dir);
  }

  static async open(opts: KnowledgeOptions): Promise<KnowledgeBase> {
    const kb = new KnowledgeBase(opts);
    await kb.load();
    if (opts.warmUp) kb.warmUp();
    if (opts.watch) kb.startWatching();
    return kb;
  }

  /**
   * Asks questions made from the articles (at most WARM_UP searches or WARM_UP_MS) so that V8
   * has compiled every path of the search before the first caller: in a fresh process a
   * search's first thousand or so runs pay for tiering-up (shipped articles: p99 1–4.6 ms after
   * 600, ~0.45 ms after 2,000), and a kind of question first seen later (English, mixed, long)
   * deoptimises it again (at 50,000 articles, 3–5 ms for the next few questions).
   */
  warmUp(): void {
    const until = performance.now() + WARM_UP_MS;
    for (const { q, lang } of warmUpQueries(this.index.all(), this.lexicon.englishPhrases(), WARM_UP)) {
      if (performance.now() >= until) break;
      this.index.search(q, { limit: 10, lang });
    }
  }

  private async load(): Promise<void> {
    const { articles, problems } = existsSync(this.dir) ? readFolder(this.dir) : { articles: [], problems: [] };
    const lexicon = Lexicon.load(path.join(this.dir, 'synonyms.yaml'));
    this.lexicon = lexicon;
    this.encoder = new KnowledgeEncoder({ lexicon, words: articles.flatMap((a) => [...a.keywords, a.title]) });
    this.index = new KnowledgeIndex(this.encoder);
    this.problems.clear();
    for (const p of problems) this.problems.set(p.file, [...(this.problems.get(p.file) ?? []), p]);
    const unique = new Map<string, Article>();
    for (const a of articles) if (!unique.has(a.id)) unique.set(a.id, a); // a duplicate id is an error; the first file keeps it
    for (const a of unique.values()) this.byFile.set(a.file, a);
    const cache = this.opts.cacheDir ? new IndexCache(this.opts.cacheDir, this.dir) : undefined;
    const key = cache?.key([...unique.values()]);
    this.restoredFromCache = !!(cache && key && (await cache.restore(key, this.index, unique)));
    if (!this.restoredFromCache) {
      this.index = new KnowledgeIndex(this.encoder);
      for (const a of unique.values()) this.index.upsert(a);
      if (cache && key) {
        try {
          cache.save(key, this.index);
        } catch (err) {
          this.opts.log?.warn({ err }, 'knowledge: could not save the index cache; the next start rebuilds it');
        }
      }
    }
    for (const p of problems.filter((x) => x.severity === 'error')) this.opts.log?.error({ file: p.file, line: p.line }, `knowledge: ${p.message}`);
    this.opts.log?.info({ articles: this.index.size, dir: this.dir, fromCache: this.restoredFromCache }, 'knowledge base loaded');
  }

  get size(): number {
    return this.index.size;
  }

  search(query: string, opts: { limit?: number; lang?: string } = {}): SearchResult {
    return this.index.search(query.slice(0, 500), opts);
  }

  get(id: string): Article | undefined {
    return this.index.get(id);
  }

  articles(): Article[] {
    return this.index.all();
  }

  /** An English counterpart of an article: an en-US article in the same category. */
  englishFor(a: Article): Article | undefined {
    return a.lang === 'en-US' ? a : this.index.englishIn(a.category);
  }

  currentProblems(): ArticleProblem[] {
    return [...this.problems.values()].flat();
  }

  private startWatching(): void {
    if (!existsSync(this.dir)) return;
    this.watcher = watch(this.dir, { recursive: true }, (_event, name) => {
      if (!name) return;
      const rel = String(name);
      if (!rel.endsWith('.md') && path.basename(rel) !== 'synonyms.yaml') return;
      this.pending.add(rel);
      clearTimeout(this.timer);
      // Editors write in bursts (temp file, rename); settle briefly, well inside a second.
      this.timer = setTimeout(() => void this.applyPending().catch((err: unknown) => this.opts.log?.error({ err }, 'knowledge: reload failed')), 120);
    });
  }

  /** Re-read the files that changed; exposed for tests that do not want to wait on the watcher. */
  async applyPending(files?: string[]): Promise<void> {
    const changed = files ?? [...this.pending];
    this.pending.clear();
    if (changed.some((f) => path.basename(f) === 'synonyms.yaml')) {
      // A new lexicon changes every article's terms: build a whole new index, then swap it in.
      const next = new KnowledgeBase({ ...this.opts, watch: false });
      try {
        await next.load();
        this.index = next.index;
        this.encoder = next.encoder;
        this.byFile = next.byFile;
        this.problems = next.problems;
      } catch (err) {
        this.opts.log?.error({ err }, 'knowledge: synonyms.yaml could not be read; keeping the previous index');
      }
      return;
    }
    for (const rel of changed) {
      if (!rel.endsWith('.md') || rel.split(path.sep)[0] === 'eval') continue;
      const abs = path.join(this.dir, rel);
      const previous = this.byFile.get(rel);
      if (!existsSync(abs)) {
        if (previous) this.index.remove(previous.id);
        this.byFile.delete(rel);
        this.problems.delete(rel);
        this.opts.log?.info({ file: rel }, 'knowledge: article removed');
        continue;
      }
      const r = parseArticle(rel, readFileSync(abs, 'utf8'));
      const clash = r.ok ? [...this.byFile.values()].find((a) => a.id === r.article.id && a.file !== rel) : undefined;
      if (!r.ok || clash) {
        const problems = r.ok ? [{ file: rel, line: 2, severity: 'error' as const, message: `duplicate id ${r.article.id}: also used by ${clash!.file}` }] : r.problems;
        this.problems.set(rel, problems);
        for (const p of problems) this.opts.log?.error({ file: p.file, line: p.line }, `knowledge: ${p.message}; the previous version keeps answering`);
        continue;
      }
      if (previous && previous.id !== r.article.id) this.index.remove(previous.id);
      this.byFile.set(rel, r.article);
      this.index.upsert(r.article);
      this.problems.set(rel, [...r.problems, ...crossChecks(this.dir, [...this.byFile.values()]).filter((p) => p.file === rel)]);
      this.opts.log?.info({ file: rel, id: r.article.id }, previous ? 'knowledge: article updated' : 'knowledge: article added');
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
