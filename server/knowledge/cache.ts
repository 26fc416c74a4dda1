import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Article } from './article.ts';
import type { IndexState, KnowledgeIndex } from './index.ts';

/** Bump when the encoder or the index layout changes: old caches are then rebuilt, never misread. */
const FORMAT = 'hotline-knowledge-index/1';
const LEXICON_DIR = path.join(import.meta.dirname, 'lexicon');

/**
 * The built index saved to disk (FlexSearch's export plus the re-rank statistics), keyed by
 * everything that could change it: the articles, the lexicons, the encoder version.
 */
export class IndexCache {
  private readonly file: string;

  constructor(
    cacheDir: string,
    private readonly knowledgeDir: string,
  ) {
    this.file = path.join(cacheDir, 'knowledge-index.json');
  }

  key(articles: Article[]): string {
    const h = createHash('sha256').update(FORMAT);
    const lexicons = existsSync(LEXICON_DIR) ? readdirSync(LEXICON_DIR).sort() : [];
    for (const f of lexicons) h.update(f).update(readFileSync(path.join(LEXICON_DIR, f)));
    const synonyms = path.join(this.knowledgeDir, 'synonyms.yaml');
    if (existsSync(synonyms)) h.update(readFileSync(synonyms));
    for (const a of [...articles].sort((x, y) => (x.file < y.file ? -1 : 1))) h.update(a.file).update('\0').update(JSON.stringify(a));
    return h.digest('hex');
  }

  restore(key: string, index: KnowledgeIndex, articles: Map<string, Article>): boolean {
    if (!existsSync(this.file)) return false;
    try {
      const saved = JSON.parse(readFileSync(this.file, 'utf8')) as { key: string; state: IndexState };
      return saved.key === key && index.importState(saved.state, articles);
    } catch {
      return false; // unreadable or inconsistent cache: the caller rebuilds from the articles
    }
  }

  save(key: string, index: KnowledgeIndex): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, state: index.exportState() }));
    renameSync(tmp, this.file); // atomic: a crash never leaves half a cache
  }
}
