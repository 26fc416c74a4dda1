import { LineCounter, parseDocument, isMap, isScalar } from 'yaml';
import { z } from 'zod';

/**
 * The article format: one Markdown file with YAML front matter. A contract other tools and
 * data sets use, so fields are only ever added as optional.
 */
const DateString = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
);
const TextList = z.array(z.union([z.string(), z.number()]).transform((x) => String(x).trim())).default([]);

export const ArticleFrontMatter = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are kebab-case ASCII, e.g. social-security-card-replacement'),
  title: z.string().trim().min(1),
  category: z.string().trim().min(1).regex(/^[^/]+(\/[^/]+)*$/, 'a "/"-separated path such as 社会保障/社保卡'),
  department: z.string().trim().min(1),
  questions: TextList.refine((q) => q.length > 0, 'list at least one question as citizens ask it'),
  keywords: TextList,
  voice: z.string().trim().min(1, 'the voice answer is empty: callers would hear nothing'),
  sms: z.string().trim().min(1).optional(),
  lang: z.enum(['zh-CN', 'en-US']),
  updated: DateString,
  review_by: DateString.optional(),
});
export type ArticleFrontMatter = z.infer<typeof ArticleFrontMatter>;

/** JSON Schema of the front matter, for editors and other cities' tools (`npx hotline kb schema`). */
export function articleJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ArticleFrontMatter, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

export interface Article extends ArticleFrontMatter {
  /** Path relative to the knowledge folder. */
  file: string;
  /** The Markdown body, and the file line it starts on. */
  body: string;
  bodyLine: number;
}

/** An article's answer as one text message: its `sms` answer, or the voice answer shortened. */
export function smsText(a: Pick<Article, 'sms' | 'voice'>): string {
  const plain = (a.sms ?? a.voice).replace(/\s+/g, ' ').trim();
  return plain.length > 300 ? `${plain.slice(0, 297)}…` : plain;
}

export interface ArticleProblem {
  file: string;
  line: number;
  severity: 'error' | 'warning';
  message: string;
}

export type ParsedArticle = { ok: true; article: Article; problems: ArticleProblem[] } | { ok: false; problems: ArticleProblem[] };

/** Speakable in about a minute: 150 Han characters, or ~150 English words. */
export const MAX_VOICE_HAN = 150;
export const MAX_VOICE_WORDS = 150;

export function voiceLength(text: string): { han: number; words: number } {
  return { han: (text.match(/\p{Script=Han}/gu) ?? []).length, words: (text.match(/[A-Za-z0-9']+/g) ?? []).length };
}

/** Parse one article; every problem names the file and the line. */
export function parseArticle(file: string, source: string, today = new Date().toISOString().slice(0, 10)): ParsedArticle {
  const problems: ArticleProblem[] = [];
  const err = (line: number, message: string) => problems.push({ file, line, severity: 'error', message });
  const text = source.replace(/^\uFEFF/, '');
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) {
    err(1, 'no front matter: the file must start with --- then YAML fields, then ---');
    return { ok: false, problems };
  }
  const yamlText = m[1]!;
  const lc = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  // Front matter starts on line 2 of the file.
  const lineAt = (offset: number) => lc.linePos(offset).line + 1;
  if (doc.errors.length) {
    for (const e of doc.errors) err(lineAt(e.pos[0]), `front matter syntax error: ${e.message.split('\n')[0]}`);
    return { ok: false, problems };
  }
  const keyLine = (key: PropertyKey | undefined): number => {
    if (isMap(doc.contents) && key !== undefined) {
      const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
    }
    return 2;
  };
  const parsed = ArticleFrontMatter.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const i of parsed.error.issues) err(keyLine(i.path[0]), `${i.path.join('.') || 'front matter'}: ${i.message}`);
    return { ok: false, problems };
  }
  const fm = parsed.data;
  const rest = text.slice(m[0].length);
  const leading = rest.length - rest.trimStart().length;
  // The line the trimmed body starts on: everything before it, counted in lines.
  const bodyStart = text.slice(0, m[0].length + leading).split('\n').length;
  // Every field written, in one order, absent ones as undefined: all articles share one hidden
  // class, so code that reads them (the search's hits) is not deoptimised by an article without
  // an sms. A literal, not a spread of a template: V8 gives spread copies a map each. The type
  // makes a field added to the schema but not here a compile error.
  const article: { [K in keyof Required<Article>]: Article[K] } = {
    id: fm.id,
    title: fm.title,
    category: fm.category,
    department: fm.department,
    questions: fm.questions,
    keywords: fm.keywords,
    voice: fm.voice,
    sms: fm.sms,
    lang: fm.lang,
    updated: fm.updated,
    review_by: fm.review_by,
    file,
    body: rest.trim(),
    bodyLine: bodyStart,
  };
  const len = voiceLength(fm.voice);
  if (fm.lang === 'zh-CN' && len.han > MAX_VOICE_HAN) {
    err(keyLine('voice'), `voice answer has ${len.han} Chinese characters; at most ${MAX_VOICE_HAN} can be spoken in about a minute`);
  }
  if (fm.lang === 'en-US' && len.words > MAX_VOICE_WORDS) {
    err(keyLine('voice'), `voice answer has ${len.words} words; at most ${MAX_VOICE_WORDS} can be spoken in about a minute`);
  }
  if (/\]\(|https?:\/\/|[#*`]/.test(fm.voice)) err(keyLine('voice'), 'voice answer contains Markdown or a link, which cannot be spoken');
  if (fm.review_by && fm.review_by < today) {
    problems.push({ file, line: keyLine('review_by'), severity: 'warning', message: `stale: review_by ${fm.review_by} has passed; check the article and move the date` });
  }
  if (!article.body) problems.push({ file, line: bodyStart, severity: 'warning', message: 'the article has no body; agents see only the short answers' });
  const base = file.replace(/\\/g, '/').split('/').pop()!.replace(/\.md$/i, '');
  if (base !== fm.id) problems.push({ file, line: keyLine('id'), severity: 'warning', message: `id ${fm.id} differs from the file name ${base}.md` });
  return { ok: true, article, problems };
}

/** Relative Markdown links in a body, with their line numbers (for the broken-link rule). */
export function relativeLinks(body: string, firstLine: number): Array<{ target: string; line: number }> {
  const out: Array<{ target: string; line: number }> = [];
  body.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^(https?:|mailto:|tel:|#)/i.test(target)) continue;
      out.push({ target: target.split('#')[0]!, line: firstLine + i });
    }
  });
  return out;
}
