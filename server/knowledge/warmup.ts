import type { Article } from './article.ts';

export interface WarmUpQuery {
  q: string;
  lang?: string;
}

/**
 * Questions that exercise every path a caller's question can take through the search, made
 * from the knowledge base's own articles: each kind of question V8 has not seen before open
 * returns is one whose first asking deoptimises the search, and the next few hundred searches
 * then run slower while it recompiles. So besides the articles' questions as written: the same
 * words reversed (new text: the encoder runs), long rambling questions (three joined: the
 * refinement of candidates by common words and single characters), English questions (the
 * bilingual lexicon, English articles), and Chinese questions with English words in them,
 * with and without a language preference.
 */
export function warmUpQueries(articles: Article[], englishPhrases: string[], count: number): WarmUpQuery[] {
  const zh = articles.filter((a) => a.lang !== 'en-US').flatMap((a) => a.questions.slice(0, 2));
  const en = [...articles.filter((a) => a.lang === 'en-US').flatMap((a) => a.questions.slice(0, 2)), ...englishPhrases];
  const out: WarmUpQuery[] = [];
  if (!zh.length && !en.length) return out;
  const pick = (xs: string[], i: number) => xs[i % xs.length]!;
  const langs = [undefined, 'zh-CN', 'en-US'];
  for (let n = 0; out.length < count; n++) {
    const i = n >> 2;
    const lang = langs[n % 3];
    if (!zh.length) out.push({ q: pick(en, n), lang });
    else if (!en.length || n % 4 < 2) {
      const q = pick(zh, i);
      if (n % 4 === 0) out.push({ q: n < zh.length * 4 ? q : [...q].reverse().join('') });
      else out.push({ q: `${q}，${pick(zh, i + 7)}，${[...pick(zh, i + 13)].reverse().join('')}`, lang });
    } else if (n % 4 === 2) out.push({ q: pick(en, i), lang });
    else out.push({ q: `${pick(zh, i + 3)} ${pick(en, i + 5)}`, lang });
  }
  return out;
}
