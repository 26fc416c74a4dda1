import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { pinyin } from 'pinyin-pro';
import { Converter } from 'opencc-js/t2cn';
import { stemEnglish, type Lexicon } from './lexicon.ts';

const require = createRequire(import.meta.url);
const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };

/**
 * How a query or document term came about; the ranking weighs them differently: a word
 * the caller said beats a word we inferred (synonym, translation), which beats a single
 * character or a sound-alike.
 */
export type TermKind = 'word' | 'part' | 'variant' | 'negated' | 'latin' | 'synonym' | 'translation' | 'char' | 'sound';

export interface Term {
  text: string;
  kind: TermKind;
  /** For a sound term: the word it is the sound of. */
  of?: string;
}

export const KIND_WEIGHT: Record<TermKind, number> = {
  word: 1,
  /** A shorter word inside a longer one (社保 in 社保卡): evidence, but not a second full word. */
  part: 0.9,
  latin: 1,
  /** A colloquial word whose official term is also searched: the official term carries the meaning. */
  variant: 0.5,
  synonym: 0.8,
  /** Said only to be ruled out: "不是要提取，我是想贷款" is not about 提取. */
  negated: 0.1,
  translation: 0.85,
  sound: 0.55,
  char: 0.25,
};

const HAN = /\p{Script=Han}/u;
/** Words that rule out what follows them in the clause, and words that end the ruling out. */
const NEGATORS = new Set(['不是', '不要', '不想', '并不是', '不用', '不需要', '并非']);
const NEGATION_ENDS = new Set(['而是', '是想', '就是', '但是', '只是', '我是', '是要']);
const HAN_RUN = /\p{Script=Han}+/gu;
const LATIN_WORD = /[a-z0-9]+(?:'[a-z]+)?/g;
const DIGITS = /^\d+$/;

/**
 * Words that carry no subject in a caller's sentence. Kept short on purpose: "办", "补",
 * "换" look empty but tell 补领 from 换领 and stay in.
 */
const ZH_STOP = new Set(
  ('我 你 他 她 它 我们 你们 的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嗯 哈 啦 么 嘛 哎 诶 喂 是 在 有 和 与 或 就 都 也 还 又 很 太 挺 '
    + '那个 这个 那 这 什么 怎么 怎么办 怎样 咋 咋办 咋整 如何 哪里 哪儿 哪 请问 请 一下 一个 想 想要 要 能 能不能 可以 可不可以 会 '
    + '需要 应该 是不是 有没有 问 问问 知道 告诉 帮 帮我 麻烦 谢谢 你好 您好 您 就是 然后 因为 所以 但是 如果 现在 今天 已经 '
    + '自己 一些 这样 那样 还是 或者 比如 多少 几 些 给 让 被 把 从 到 对 跟 去 来 说 问下 我想 我要 想问 想问问 一直 不 没 '
    + '怎么样 什么样 咋样 咋弄 啥 有啥 是否 能否 行不行 好不好 要不要 需不需要 可以吗 行吗 好吗 呗 哇 嘞 咯 喽 一样 这种 那种 '
    + '还有 以及 另外 其实 感觉 觉得 好像 可能 大概 应该是 怎么弄 怎么搞 怎么整 搞 弄 整 '
    + '下来 上来 起来 出来 过来 回来 进来 下去 上去 出去 进去 过去 刚 刚刚 才 马上 时候 的话 这边 那边 这里 那里 这块 那块 '
    + '结果 后来 之前 之后 以后 以前 最近 一下子 好几 好多 很多 特别 非常 真的 到底 究竟 具体 一般 主要 直接 还要 得 人家 别人 大家').split(' '),
);
const EN_STOP = new Set(
  ('a an the i me my we our you your he she it they them is are was were be been am do does did doing have has had '
    + 'can could would should will shall may might must to of in on at for from by with about as into and or but if so '
    + 'how what where when which who whom why this that these those there here please hi hello thanks thank want need '
    + 'get got like just some any tell know help').split(' '),
);

const toSimplified = Converter({ from: 'hk', to: 'cn' });

/** Full-width to half-width, traditional to simplified, lower case. */
export function normalizeText(s: string): string {
  const nfkc = s.normalize('NFKC').toLowerCase();
  return HAN.test(nfkc) ? toSimplified(nfkc) : nfkc;
}

const sounds = new Map<string, string>();

/** Toneless pinyin of a word; words repeat a lot, so each is converted once. */
function soundOf(word: string): string {
  let s = sounds.get(word);
  if (s === undefined) {
    s = pinyin(word, { toneType: 'none', type: 'array', nonZh: 'removed' }).join('');
    if (sounds.size > 200_000) sounds.clear();
    sounds.set(word, s);
  }
  return s;
}

export interface EncoderOptions {
  lexicon: Lexicon;
  /** Extra words (article keywords and titles) the segmenter should keep whole. */
  words?: Iterable<string>;
}

/**
 * The Chinese-aware encoder shared by indexing and search: segments Han runs into words
 * (jieba, search mode, with the knowledge base's own terms in its dictionary), adds single
 * characters and the sound of each word (pinyin, for mis-heard homophones), keeps Latin
 * words whole, drops stop words, and adds the official term for every colloquial variant and
 * the Chinese term for every English public-service phrase it knows.
 */
export class KnowledgeEncoder {
  private readonly jieba: Jieba;
  private readonly cache = new Map<string, Term[]>();

  constructor(private readonly opts: EncoderOptions) {
    this.jieba = Jieba.withDict(dict);
    const extra = new Set<string>();
    for (const w of opts.words ?? []) {
      const n = normalizeText(w).replace(/\s+/g, '');
      if (n.length >= 2 && n.length <= 12 && [...n].every((c) => HAN.test(c))) extra.add(n);
    }
    for (const w of opts.lexicon.hanTerms()) if (w.length >= 2 && w.length <= 12) extra.add(w);
    // A high frequency makes jieba prefer the whole term over its parts.
    if (extra.size) this.jieba.loadDict(Buffer.from([...extra].map((w) => `${w} 50000 n`).join('\n')));
  }

  /** Han words of a text, as the segmenter cuts them (search mode: words and their sub-words). */
  hanWords(text: string): string[] {
    const out: string[] = [];
    for (const run of text.match(HAN_RUN) ?? []) out.push(...this.jieba.cutForSearch(run, true));
    return out;
  }

  /** Every term of a text with its kind; repeated terms are kept (counts matter for ranking). */
  encode(raw: string): Term[] {
    if (raw.length < 200) {
      const hit = this.cache.get(raw);
      if (hit) return hit;
    }
    const text = normalizeText(raw);
    const terms: Term[] = [];
    const lex = this.opts.lexicon;

    // Latin words, with English phrases translated to the Chinese terms they name.
    const latin = (text.match(LATIN_WORD) ?? []).filter((w) => !EN_STOP.has(w));
    for (const w of latin) terms.push({ text: DIGITS.test(w) ? w : stemEnglish(w), kind: 'latin' });
    for (const zh of lex.translate(text)) {
      for (const w of this.hanWords(zh)) if (!ZH_STOP.has(w)) terms.push({ text: w, kind: 'translation' });
    }

    // Han words (and the shorter words inside them), their sounds and characters; colloquial
    // words mapped to official ones.
    for (const run of text.match(HAN_RUN) ?? []) {
      const variants = lex.variantsIn(run);
      const colloquial = new Set(variants.map((v) => v.variant));
      let negating = false;
      for (const w of this.jieba.cut(run, true)) {
        if (NEGATORS.has(w)) negating = true;
        else if (NEGATION_ENDS.has(w)) negating = false;
        if (ZH_STOP.has(w) || NEGATORS.has(w)) continue;
        if (negating) {
          terms.push({ text: w, kind: 'negated' });
          continue;
        }
        terms.push({ text: w, kind: colloquial.has(w) ? 'variant' : 'word' });
        if (w.length >= 2) terms.push({ text: `~${soundOf(w)}`, kind: 'sound', of: w });
        if (w.length >= 3) {
          for (const p of this.jieba.cutForSearch(w, true)) if (p !== w && p.length >= 2 && !ZH_STOP.has(p)) terms.push({ text: p, kind: 'part' });
        }
        for (const c of w) terms.push({ text: c, kind: 'char' });
      }
      for (const official of variants.flatMap((v) => v.officials)) {
        for (const w of this.hanWords(official)) if (!ZH_STOP.has(w)) terms.push({ text: w, kind: 'synonym' });
      }
    }
    if (raw.length < 200) {
      if (this.cache.size > 20_000) this.cache.clear();
      this.cache.set(raw, terms);
    }
    return terms;
  }
}
