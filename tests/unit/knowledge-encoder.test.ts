import { describe, expect, it } from 'vitest';
import { KnowledgeEncoder, normalizeText, type Term } from '../../server/knowledge/encoder.ts';
import { Lexicon, englishKey } from '../../server/knowledge/lexicon.ts';

function encoderWith(setup: (lex: Lexicon) => void = () => undefined, words: string[] = []) {
  const lex = new Lexicon();
  setup(lex);
  return new KnowledgeEncoder({ lexicon: lex, words });
}

const texts = (terms: Term[], kind?: Term['kind']) => terms.filter((t) => !kind || t.kind === kind).map((t) => t.text);

describe('the Chinese-aware encoder', () => {
  const enc = encoderWith((lex) => {
    lex.addSynonyms('遗失', ['丢', '丢了', '不见了']);
    lex.addSynonyms('住房公积金', ['公积金']);
    lex.addTranslations('结婚登记', ['marriage registration', 'get married']);
    lex.addTranslations('路灯', ['streetlight', 'street light']);
  });

  it('segments Han text into words and also emits every single character', () => {
    const t = enc.encode('社保卡丢了怎么办');
    expect(texts(t, 'word')).toContain('社保卡');
    expect(texts(t, 'part')).toContain('社保');
    expect(texts(t, 'char')).toEqual(expect.arrayContaining(['社', '保', '卡', '丢']));
  });

  it('drops colloquial stop words but keeps the words that tell services apart', () => {
    const words = texts(enc.encode('请问我想问一下身份证怎么补办啊'));
    expect(words).not.toContain('请问');
    expect(words).not.toContain('怎么');
    expect(words).not.toContain('啊');
    expect(words).toEqual(expect.arrayContaining(['身份证', '补办']));
  });

  it('adds the official term for a colloquial variant, and lets it carry the meaning', () => {
    expect(texts(enc.encode('社保卡丢了'), 'synonym')).toContain('遗失');
    expect(enc.encode('社保卡丢了').find((t) => t.text === '丢了')?.kind).toBe('variant');
    expect(texts(enc.encode('公积金怎么取'), 'synonym')).toEqual(expect.arrayContaining(['住房', '公积金']));
    expect(texts(enc.encode('社保卡补办'), 'synonym')).toEqual([]);
  });

  it('weighs little what the caller rules out ("不是要提取，我是想贷款")', () => {
    const t = enc.encode('不是要提取，我是想贷款');
    expect(t.find((x) => x.text === '提取')?.kind).toBe('negated');
    expect(t.find((x) => x.text === '贷款')?.kind).toBe('word');
    expect(enc.encode('我要提取').find((x) => x.text === '提取')?.kind).toBe('word');
  });

  it('keeps Latin words whole, lower-cased and lightly stemmed, and drops English stop words', () => {
    const latin = texts(enc.encode('How do I renew my Business Licence?'), 'latin');
    expect(latin).toEqual(['renew', 'business', 'licence']);
    expect(texts(enc.encode('renewing renewal renews'), 'latin')).toEqual(['renew', 'renew', 'renew']);
  });

  it('translates English public-service phrases into the Chinese terms they name', () => {
    expect(texts(enc.encode('How do we get married here?'), 'translation')).toEqual(expect.arrayContaining(['结婚', '登记']));
    expect(texts(enc.encode('the street lights are broken'), 'translation')).toContain('路灯');
    expect(texts(enc.encode('the weather is nice'), 'translation')).toEqual([]);
  });

  it('matches mixed Chinese and English in one query', () => {
    const t = enc.encode('我的 ID card 丢了怎么补');
    expect(texts(t, 'latin')).toEqual(expect.arrayContaining(['id', 'card']));
    expect(texts(t, 'synonym')).toContain('遗失');
  });

  it('normalises full-width, traditional characters and case before anything else', () => {
    expect(normalizeText('營業執照補辦')).toBe('营业执照补办');
    expect(normalizeText('ＩＤ　Ｃａｒｄ')).toBe('id card');
    expect(texts(enc.encode('戶口遷移'), 'word')).toEqual(texts(enc.encode('户口迁移'), 'word'));
  });

  it('gives a mis-heard homophone the same sound term as the word it stands for', () => {
    const sound = (s: string) => texts(enc.encode(s), 'sound');
    expect(sound('胡口怎么迁')).toContain(sound('户口')[0]);
    // 营业直照 is cut as 营业 + 直照; 直照 sounds like 执照, the word inside 营业执照.
    expect(sound('营业直照')).toContain('~zhizhao');
    expect(sound('执照')).toEqual(['~zhizhao']);
    expect(sound('户口')[0]).toBe('~hukou');
    expect(sound('身份证')).not.toContain('~hukou');
  });

  it('keeps a knowledge base\'s own terms whole', () => {
    const plain = encoderWith();
    const withTerm = encoderWith(() => undefined, ['示例办']);
    expect(texts(withTerm.encode('用示例办申请'), 'word')).toContain('示例办');
    expect(texts(plain.encode('用示例办申请'), 'word')).not.toContain('示例办');
  });
});

describe('the lexicon', () => {
  it('finds the longest colloquial variants inside a run of Han text', () => {
    const lex = new Lexicon();
    lex.addSynonyms('遗失', ['丢', '丢失']);
    lex.addSynonyms('到期', ['过期']);
    expect(lex.variantsIn('身份证过期又丢失了')).toEqual([
      { variant: '过期', officials: ['到期'] },
      { variant: '丢失', officials: ['遗失'] },
    ]);
  });

  it('matches English phrases as whole words, longest first', () => {
    const lex = new Lexicon();
    lex.addTranslations('驾驶证', ['driving licence', "driver's license"]);
    lex.addTranslations('驾驶', ['driving']);
    expect(lex.translate('I want to renew my driving licence')).toEqual(['驾驶证']);
    expect(lex.translate('driving lessons')).toEqual(['驾驶']);
    expect(lex.translate('overdriving')).toEqual([]);
    expect(englishKey('Driving Licences')).toBe(englishKey('driving licence'));
  });

  it('finds a phrase whatever the order of its words', () => {
    const lex = new Lexicon();
    lex.addTranslations('结婚登记', ['register marriage']);
    lex.addTranslations('结婚', ['marriage']);
    lex.addTranslations('登记', ['register']);
    expect(lex.translate('how do I get my marriage registered')).toEqual(['结婚登记']);
    expect(lex.translate('I want to register my marriage')).toEqual(['登记', '结婚']);
  });

  it('loads the built-in lexicons and a folder\'s own synonyms', () => {
    const lex = Lexicon.load();
    expect(lex.translate('marriage registration').length).toBeGreaterThan(0);
    expect(lex.hanTerms().length).toBeGreaterThan(100);
  });
});
