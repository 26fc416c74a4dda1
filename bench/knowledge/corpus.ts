/**
 * A large synthetic knowledge base for `npm run bench -- knowledge`: the shipped articles are
 * copied in unchanged (so the eval set keeps its answers) and the rest are recombined from
 * their vocabulary. Each generated article takes a shipped article as its base and varies it:
 * the title with a district, a year or a sub-topic; questions, keywords and voice sentences
 * drawn from articles of the same folder; a body of section headings and lines shuffled from
 * the bodies of that folder (with some lines from other folders). Generated articles are
 * therefore near-duplicates of the real ones — the distractors a large city knowledge base
 * really has (one article per district, per year, per special case).
 *
 * Deterministic for a given seed; written as Markdown files in the shipped format.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Article } from '../../server/knowledge/article.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DISTRICTS = ['东城区', '西城区', '南湖区', '北山区', '高新区', '经开区', '滨江区', '临港新区', '江北区', '城南区', '青山区', '白云区', '新港区', '东湖区', '西岭区', '龙泉区'];
const DISTRICTS_EN = ['Dongcheng District', 'Xicheng District', 'Nanhu District', 'Beishan District', 'Hi-tech Zone', 'Economic Development Zone', 'Binjiang District', 'Lingang New Area'];
const SUBTOPICS = [
  '常见问题', '办理指南', '材料清单', '收费标准', '办理时限', '政策解读', '线上办理', '窗口地址', '特殊情形', '代办须知', '异地办理', '进度查询',
  '投诉渠道', '注意事项', '流程图解', '政策调整说明', '答疑汇编', '补充规定', '实施细则', '试点办法', '容缺受理', '一件事套餐',
];
const SUBTOPICS_EN = ['FAQ', 'step by step', 'documents checklist', 'fees', 'processing times', 'online service', 'special cases', 'office addresses', 'policy update'];
const SENTENCE_ZH = /[^。！？；\n]+[。！？；]?/g;
const SENTENCE_EN = /[^.!?\n]+[.!?]?/g;
const HAN_CHAR = /\p{Script=Han}/gu;

interface Pool {
  lang: Article['lang'];
  questions: string[];
  keywords: string[];
  voice: string[];
  sms: string[];
  headings: string[];
  lines: string[];
}

function stripLinks(s: string): string {
  return s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

function bodyParts(a: Article): { headings: string[]; lines: string[] } {
  const headings: string[] = [];
  const lines: string[] = [];
  for (const raw of stripLinks(a.body).split('\n')) {
    const l = raw.trim();
    if (!l) continue;
    if (/^#{2,3} /.test(l)) headings.push(l);
    else lines.push(l);
  }
  return { headings, lines };
}

export interface GeneratedCorpus {
  dir: string;
  total: number;
  generated: number;
  real: number;
  bytes: number;
}

/**
 * Write `total` articles under `dir`: the shipped ones (copied from `sourceDir`, same relative
 * paths) plus generated ones in the folder of their base article.
 */
export function generateCorpus(opts: {
  sourceDir: string;
  real: Article[];
  dir: string;
  total: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}): GeneratedCorpus {
  const rand = mulberry32(opts.seed ?? 12345);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const sample = <T>(xs: readonly T[], n: number): T[] => {
    const c = xs.slice();
    for (let i = c.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [c[i], c[j]] = [c[j]!, c[i]!];
    }
    return c.slice(0, Math.min(n, c.length));
  };
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

  // One pool per (folder, language): the vocabulary a generated article of that folder draws on.
  const pools = new Map<string, Pool>();
  const allLines = new Map<string, string[]>(); // by language, for cross-folder noise
  for (const a of opts.real) {
    const key = `${path.dirname(a.file)}|${a.lang}`;
    let p = pools.get(key);
    if (!p) pools.set(key, (p = { lang: a.lang, questions: [], keywords: [], voice: [], sms: [], headings: [], lines: [] }));
    p.questions.push(...a.questions);
    p.keywords.push(...a.keywords);
    p.voice.push(...(a.voice.match(a.lang === 'en-US' ? SENTENCE_EN : SENTENCE_ZH) ?? []).map((s) => s.trim()).filter(Boolean));
    if (a.sms) p.sms.push(a.sms);
    const { headings, lines } = bodyParts(a);
    p.headings.push(...headings);
    p.lines.push(...lines);
    allLines.set(a.lang, [...(allLines.get(a.lang) ?? []), ...lines]);
  }

  const own_ = new Map<string, { voice: string[]; headings: string[]; lines: string[] }>();
  for (const a of opts.real) {
    const voice = (a.voice.match(a.lang === 'en-US' ? SENTENCE_EN : SENTENCE_ZH) ?? []).map((s) => s.trim()).filter(Boolean);
    own_.set(a.id, { voice, ...bodyParts(a) });
  }

  mkdirSync(opts.dir, { recursive: true });
  // The folder's own synonyms belong to the knowledge base: the large corpus keeps them.
  const synonyms = path.join(opts.sourceDir, 'synonyms.yaml');
  if (existsSync(synonyms)) copyFileSync(synonyms, path.join(opts.dir, 'synonyms.yaml'));
  let bytes = 0;
  for (const a of opts.real) {
    const to = path.join(opts.dir, a.file);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(opts.sourceDir, a.file), to);
  }
  const madeDirs = new Set<string>();
  const n = Math.max(0, opts.total - opts.real.length);
  for (let i = 0; i < n; i++) {
    const base = pick(opts.real);
    const folder = path.dirname(base.file);
    const pool = pools.get(`${folder}|${base.lang}`)!;
    const en = base.lang === 'en-US';
    const year = int(2018, 2026);
    const hanKeywords = (rand() < 0.7 ? base.keywords : pool.keywords).filter((k) => /^\p{Script=Han}+$/u.test(k));
    const kw = pick(en ? pool.keywords : hanKeywords.length ? hanKeywords : pool.keywords);
    let title: string;
    let district: string;
    if (en) {
      district = pick(DISTRICTS_EN);
      const r = rand();
      title = r < 0.4 ? `${base.title} — ${district}` : r < 0.7 ? `${base.title} (${year})` : `${kw[0]!.toUpperCase()}${kw.slice(1)}: ${pick(SUBTOPICS_EN)}`;
    } else {
      district = pick(DISTRICTS);
      const r = rand();
      title =
        r < 0.25 ? `${district}${base.title}`
        : r < 0.45 ? `${base.title}（${year}年版）`
        : r < 0.75 ? `${district}${kw}${pick(SUBTOPICS)}`
        : `${kw}${pick(SUBTOPICS)}（${year}年）`;
    }
    // Mostly the base article's own words, some from its folder's other articles.
    const own = own_.get(base.id)!;
    const mix = <T>(mine: readonly T[], folder: readonly T[], k: number, shareMine: number): T[] =>
      Array.from({ length: k }, () => (rand() < shareMine || !folder.length ? pick(mine.length ? mine : folder) : pick(folder)));
    const questions = [...new Set(mix(base.questions, pool.questions, int(2, 5), 0.7))].map((q) => (!en && rand() < 0.3 ? `${district}${q}` : q));
    const keywords = [...new Set([...mix(base.keywords, pool.keywords, int(3, 6), 0.7), ...(rand() < 0.5 ? [district] : [])])];

    // Voice: sentences of the folder's voice answers, within the one-minute limit.
    const voiceParts: string[] = [];
    let han = 0;
    let words = 0;
    for (const s of [...new Set(mix(own.voice, pool.voice, 8, 0.6))]) {
      const h = (s.match(HAN_CHAR) ?? []).length;
      const w = s.split(/\s+/).length;
      if (en ? words + w > 110 : han + h > 130) break;
      voiceParts.push(s);
      han += h;
      words += w;
    }
    if (!voiceParts.length) voiceParts.push(en ? 'Please call 12345 for details.' : '详情请拨打12345咨询。');
    const voice = voiceParts.join(en ? ' ' : '').replace(/[#*`]/g, '');

    // Body: 3-5 sections, 2-5 lines each; one line in six from another folder.
    const sections: string[] = [];
    const headings = [...new Set([...own.headings, ...pool.headings])];
    for (const h of sample(headings.length ? headings : [en ? '## Details' : '## 办理说明'], int(3, 5))) {
      const lines: string[] = [];
      for (let k = int(2, 5); k > 0; k--) {
        const r = rand();
        lines.push(r < 0.15 ? pick(allLines.get(base.lang)!) : r < 0.4 || !own.lines.length ? pick(pool.lines) : pick(own.lines));
      }
      sections.push(`${h}\n\n${lines.join('\n')}`);
    }
    const intro = en ? `This page covers ${title} in ${district}.` : `本文介绍${district}${kw}相关事项（${year}年）。`;
    const body = `${intro}\n\n${sections.join('\n\n')}\n`;

    const id = `g${String(i).padStart(6, '0')}-${base.id}`;
    const fm: Record<string, unknown> = {
      id,
      title,
      category: base.category,
      department: base.department,
      questions,
      keywords,
      voice,
      ...(pool.sms.length && rand() < 0.6 ? { sms: pick(pool.sms) } : {}),
      lang: base.lang,
      updated: `${year}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
    };
    const text = `---\n${stringify(fm, { lineWidth: 0 })}---\n${body}`;
    const sub = path.join(opts.dir, folder);
    if (!madeDirs.has(sub)) {
      mkdirSync(sub, { recursive: true });
      madeDirs.add(sub);
    }
    writeFileSync(path.join(sub, `${id}.md`), text);
    bytes += Buffer.byteLength(text);
    if (opts.onProgress && (i + 1) % 5000 === 0) opts.onProgress(i + 1, n);
  }
  return { dir: opts.dir, total: opts.real.length + n, generated: n, real: opts.real.length, bytes };
}
