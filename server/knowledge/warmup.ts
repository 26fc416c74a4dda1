import type { Article } from './article.ts';

export interface WarmUpQuery {
  q: string;
  lang?: string;
}

const LANGS = [undefined, 'zh-CN', 'en-US'];

/**
 * Questions that exercise every path a caller's question can take through the search, made
 * from the knowledge base's own articles: each kind of question V8 has not seen before open
 * returns is one whose first asking deoptimises the search, and the next few searches then run
 * slower while it recompiles. The kinds, in turn: Chinese questions (as written, then reversed
 * in later rounds: new text, so the encoder runs), long rambling ones (three joined: the
 * refinement by common words and single characters), English ones (the bilingual lexicon,
 * English articles), and Chinese with English words; the language preference cycles through
 * none, Chinese and English (2 or 4 kinds against 3 preferences: every kind meets each).
 */
export function warmUpQueries(articles: Article[], englishPhrases: string[], count: number): WarmUpQuery[] {
  const zh = articles.filter((a) => a.lang !== 'en-US').flatMap((a) => a.questions.slice(0, 2));
  const en = [...articles.filter((a) => a.lang === 'en-US').flatMap((a) => a.questions.slice(0, 2)), ...englishPhrases];
  const at = (xs: string[], i: number) => xs[i % xs.length]!;
  const reversed = (s: string) => [...s].reverse().join('');
  const kinds: Array<(i: number) => string> = [];
  if (zh.length) kinds.push((i) => (i < zh.length ? zh[i]! : reversed(at(zh, i))), (i) => `${at(zh, i)}，${at(zh, i + 7)}，${reversed(at(zh, i + 13))}`);
  if (en.length) kinds.push((i) => at(en, i));
  if (zh.length && en.length) kinds.push((i) => `${at(zh, i + 3)} ${at(en, i + 5)}`);
  if (!kinds.length) return [];
  return Array.from({ length: count }, (_, n) => ({ q: kinds[n % kinds.length]!(Math.floor(n / kinds.length)), lang: LANGS[n % LANGS.length] }));
}
