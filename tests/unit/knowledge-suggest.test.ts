import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeBase } from '../../server/knowledge/service.ts';
import { TranscriptSuggester } from '../../server/knowledge/suggest.ts';

describe('suggestions from a live transcript', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    kb = await KnowledgeBase.open({ dir: path.resolve(import.meta.dirname, '../../knowledge') });
  });

  it('follows what the caller is saying now, not what they said a minute ago', () => {
    const s = new TranscriptSuggester(kb);
    const early = '您好，我想问一下，我上个月结婚了，结婚登记需要带什么材料，我们已经办好了。';
    expect(s.suggest(early, 0)[0]?.id).toBe('marriage-registration');
    const later = `${early} 然后还有一个事，我的社保卡前两天丢了，社保卡丢了现在要怎么补办`;
    expect(s.suggest(later, 10_000)[0]?.id).toBe('social-security-card-replacement');
  });

  it('does not suggest the same article again within the cool-down, and does after it', () => {
    const s = new TranscriptSuggester(kb, { cooldownMs: 60_000 });
    const text = '身份证丢了怎么补办';
    const first = s.suggest(text, 0).map((h) => h.id);
    expect(first).toContain('id-card-replacement');
    expect(s.suggest(`${text} 对对对就是身份证丢了`, 5_000).map((h) => h.id)).not.toContain('id-card-replacement');
    expect(s.suggest(`${text} 身份证补办`, 61_000).map((h) => h.id)).toContain('id-card-replacement');
  });

  it('stays quiet on small talk', () => {
    expect(new TranscriptSuggester(kb).suggest('喂，您好，听得到吗，嗯嗯好的', 0)).toEqual([]);
  });
});
