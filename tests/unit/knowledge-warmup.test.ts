import { describe, expect, it } from 'vitest';
import type { Article } from '../../server/knowledge/article.ts';
import { warmUpQueries } from '../../server/knowledge/warmup.ts';

const HAN = /\p{Script=Han}/u;
const LATIN = /[a-z]{2,}/i;

function article(id: string, lang: 'zh-CN' | 'en-US', questions: string[]): Article {
  return {
    id,
    title: id,
    category: '示例/类别',
    department: '示例市政务服务中心',
    questions,
    keywords: [],
    voice: '示例回答。',
    sms: undefined,
    lang,
    updated: '2026-06-01',
    review_by: undefined,
    file: `${id}.md`,
    body: '',
    bodyLine: 1,
  };
}

const zh = [
  article('a', 'zh-CN', ['社保卡丢了怎么办', '社保卡补办要带什么']),
  article('b', 'zh-CN', ['公积金租房怎么提取', '租房能取公积金吗']),
  article('c', 'zh-CN', ['身份证过期了去哪换']),
];
const en = [article('e', 'en-US', ['How do I renew my residence permit'])];

describe('warm-up questions', () => {
  it('asks every kind of question a caller can: as written, new text, long, English, mixed, with and without a language', () => {
    const qs = warmUpQueries([...zh, ...en], ['business license'], 200);
    expect(qs).toHaveLength(200);
    const asked = new Set(zh.flatMap((a) => a.questions));
    const english = qs.filter((x) => !HAN.test(x.q));
    const mixed = qs.filter((x) => HAN.test(x.q) && LATIN.test(x.q));
    const chinese = qs.filter((x) => HAN.test(x.q) && !LATIN.test(x.q));
    expect(chinese.some((x) => asked.has(x.q))).toBe(true);
    // Past the first round, questions come reversed: text the encoder has not cached.
    expect(chinese.some((x) => !asked.has(x.q) && asked.has([...x.q].reverse().join('')))).toBe(true);
    // Long, rambling: three questions in one.
    expect(chinese.some((x) => x.q.split('，').length === 3)).toBe(true);
    expect(english.map((x) => x.q)).toEqual(expect.arrayContaining(['How do I renew my residence permit', 'business license']));
    expect(mixed.length).toBeGreaterThan(0);
    for (const lang of [undefined, 'zh-CN', 'en-US']) {
      expect(english.some((x) => x.lang === lang)).toBe(true);
      expect(mixed.some((x) => x.lang === lang)).toBe(true);
    }
  });

  it('uses the lexicon’s English when the folder has no English article, and only what it has otherwise', () => {
    const withPhrases = warmUpQueries(zh, ['marriage registration'], 40);
    expect(withPhrases.some((x) => x.q === 'marriage registration')).toBe(true);
    const chineseOnly = warmUpQueries(zh, [], 40);
    expect(chineseOnly).toHaveLength(40);
    expect(chineseOnly.every((x) => HAN.test(x.q) && !LATIN.test(x.q))).toBe(true);
    const englishOnly = warmUpQueries(en, [], 10);
    expect(englishOnly).toHaveLength(10);
    expect(englishOnly.every((x) => !HAN.test(x.q))).toBe(true);
    expect(warmUpQueries([], [], 10)).toEqual([]);
  });
});
