import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Article } from './article.ts';
import type { IndexState, KnowledgeIndex } from './index.ts';

/** Bump when the encoder or the index layout changes: old caches are then rebuilt, never misread. */
const FORMAT = 'hotline-knowledge-index/3';
const LEXICON_DIR = path.join(import.meta.dirname, 'lexicon');

/**
 * The built index saved to disk (every article's encoded terms and weights), keyed by
 * everything that could change it: the articles, the lexicons, the encoder version. Written
 * and read one line per part, so a city-sized index never has to be one string in memory.
 */
export class IndexCache {
  private readonly file: string;

  constructor(
    cacheDir: string,
    private readonly knowledgeDir: string,
  ) {
    this.file = path.join(cacheDir, 'knowledge-index.ndjson');
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

  async restore(key: string, index: KnowledgeIndex, articles: Map<string, Article>): Promise<boolean> {
    if (!existsSync(this.file)) return false;
    const state: IndexState = { terms: [], docs: [] };
    let header: { format?: string; key?: string } | undefined;
    try {
      const lines = readline.createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        const part = JSON.parse(line) as { format?: string; key?: string; terms?: string[]; doc?: IndexState['docs'][number] };
        if (!header) {
          header = part;
          if (part.format !== FORMAT || part.key !== key) {
            lines.close();
            return false;
          }
        } else if (part.terms) state.terms.push(...part.terms);
        else if (part.doc) state.docs.push(part.doc);
      }
      return !!header && index.importState(state, articles);
    } catch {
      return false; // unreadable or inconsistent cache: the caller rebuilds from the articles
    }
  }

  save(key: string, index: KnowledgeIndex): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      const line = (o: unknown) => writeSync(fd, JSON.stringify(o) + '\n');
      const state = index.exportState();
      line({ format: FORMAT, key });
      for (let i = 0; i < state.terms.length; i += 50_000) line({ terms: state.terms.slice(i, i + 50_000) });
      for (const d of state.docs) line({ doc: d });
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file); // atomic: a crash never leaves half a cache
  }
}
