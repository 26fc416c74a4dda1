import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArticle, relativeLinks, type Article, type ArticleProblem } from './article.ts';

/** Folders inside a knowledge folder that hold no articles. */
const NOT_ARTICLES = new Set(['eval', 'node_modules', '.git']);

export function listArticleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!NOT_ARTICLES.has(e.name)) walk(p);
      } else if (e.isFile() && e.name.endsWith('.md') && !/^(readme|index)\.md$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export interface FolderResult {
  articles: Article[];
  problems: ArticleProblem[];
  /** Files that failed to parse (relative paths). */
  failed: string[];
}

/** Read and check a whole folder: per-file rules plus duplicate ids and broken links. */
export function readFolder(dir: string, today?: string): FolderResult {
  const articles: Article[] = [];
  const problems: ArticleProblem[] = [];
  const failed: string[] = [];
  for (const abs of listArticleFiles(dir)) {
    const rel = path.relative(dir, abs);
    const r = parseArticle(rel, readFileSync(abs, 'utf8'), today);
    problems.push(...r.problems);
    if (r.ok) articles.push(r.article);
    else failed.push(rel);
  }
  problems.push(...crossChecks(dir, articles));
  return { articles, problems, failed };
}

/** Rules that need the whole folder: unique ids, links that lead somewhere. */
export function crossChecks(dir: string, articles: Article[]): ArticleProblem[] {
  const problems: ArticleProblem[] = [];
  const byId = new Map<string, Article>();
  for (const a of articles) {
    const first = byId.get(a.id);
    if (first) problems.push({ file: a.file, line: 2, severity: 'error', message: `duplicate id ${a.id}: also used by ${first.file}` });
    else byId.set(a.id, a);
  }
  for (const a of articles) {
    for (const link of relativeLinks(a.body, a.bodyLine)) {
      const t = link.target;
      const ok = t.startsWith('kb:') ? byId.has(t.slice(3)) : existsSync(path.resolve(dir, path.dirname(a.file), decodeURIComponent(t)));
      if (!ok) problems.push({ file: a.file, line: link.line, severity: 'error', message: `broken link to ${t}` });
    }
  }
  return problems;
}
