import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { articleJsonSchema, parseArticle } from '../../server/knowledge/article.ts';
import { readFolder } from '../../server/knowledge/folder.ts';

const F = 'public-security/id-card-replacement.md';
const article = (over: Record<string, string> = {}, body = '正文。') => {
  const fields: Record<string, string> = {
    id: 'id-card-replacement',
    title: '居民身份证挂失与补领',
    category: '公安/户政/身份证',
    department: '示例市公安局',
    questions: '[身份证丢了怎么办]',
    keywords: '[身份证, 补领]',
    voice: '身份证丢失后请先挂失，再带户口簿到户籍窗口补领，工本费四十元，二十个工作日内领取新证。',
    lang: 'zh-CN',
    updated: '2026-06-01',
    ...over,
  };
  const lines = Object.entries(fields).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return `---\n${lines.join('\n')}\n---\n${body}\n`;
};

describe('an article file', () => {
  it('parses the shipped format', () => {
    const r = parseArticle('public-security/id-card-replacement.md', article());
    expect(r.ok && r.article).toMatchObject({ id: 'id-card-replacement', lang: 'zh-CN', questions: ['身份证丢了怎么办'], body: '正文。' });
    expect(r.problems).toEqual([]);
  });

  it('is described by the JSON Schema kept in the repository (regenerate with `npx hotline kb schema`)', () => {
    const kept = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../knowledge/article.schema.json'), 'utf8')) as unknown;
    expect(kept).toEqual(articleJsonSchema());
  });

  it('has the same fields in the same order whichever optional fields it sets (one shape for the search)', () => {
    const bare = parseArticle(F, article());
    // Written in another order than the schema's, with both optional fields.
    const full = parseArticle(F, article({ review_by: '2027-06-01', sms: '身份证补领：带户口簿到户籍窗口。', lang: 'zh-CN' }));
    if (!bare.ok || !full.ok) throw new Error('both articles should parse');
    expect(Object.keys(full.article)).toEqual(Object.keys(bare.article));
    expect(bare.article.sms).toBeUndefined();
    expect(full.article.sms).toBe('身份证补领：带户口簿到户籍窗口。');
    expect(full.article.review_by).toBe('2027-06-01');
  });

  it('reports a front matter syntax error on its line', () => {
    const r = parseArticle(F, article({ keywords: '[身份证, 补领' }));
    expect(r.ok).toBe(false);
    // The unclosed list on line 7 is noticed where the next key starts.
    expect(r.problems[0]!.severity).toBe('error');
    expect([7, 8]).toContain(r.problems[0]!.line);
  });

  it('reports a schema error on the line of the field', () => {
    const r = parseArticle(F, article({ lang: 'fr-FR' }));
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'error', line: 9, message: expect.stringContaining('lang') })]);
    const missing = parseArticle(F, article({ department: '' }));
    expect(missing.problems[0]!.message).toContain('department');
  });

  it('refuses an empty voice answer and one too long to speak', () => {
    expect(parseArticle(F, article({ voice: '""' })).problems[0]!.message).toMatch(/voice answer is empty/);
    const long = parseArticle(F, article({ voice: '办'.repeat(151) }));
    expect(long.problems).toEqual([expect.objectContaining({ severity: 'error', line: 8, message: expect.stringContaining('151 Chinese characters') })]);
    expect(parseArticle(F, article({ voice: '办'.repeat(150) })).problems).toEqual([]);
    const en = parseArticle(F, article({ lang: 'en-US', voice: Array(151).fill('word').join(' ') }));
    expect(en.problems[0]!.message).toContain('151 words');
  });

  it('refuses Markdown or links in the voice answer', () => {
    expect(parseArticle(F, article({ voice: '详见 [网站](https://example.gov) 办理。' })).problems[0]!.message).toMatch(/cannot be spoken/);
  });

  it('warns when the review date has passed', () => {
    const r = parseArticle(F, article({ review_by: '2026-01-01' }), '2026-11-23');
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', line: 11, message: expect.stringContaining('stale') })]);
    expect(parseArticle(F, article({ review_by: '2027-01-01' }), '2026-11-23').problems).toEqual([]);
  });

  it('refuses a file without front matter', () => {
    expect(parseArticle(F, '# just markdown').problems[0]).toMatchObject({ line: 1, severity: 'error' });
  });
});

describe('a knowledge folder', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('finds duplicate ids and broken links, naming file and line', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-lint-'));
    write('a/id-card-replacement.md', article({}, '正文。\n\n另见 [换领](../a/id-card-renewal.md) 与 [居住证](kb:residence-permit-application)。'));
    write('b/id-card-replacement.md', article());
    write('a/id-card-renewal.md', article({ id: 'id-card-renewal', title: '身份证到期换领' }));
    write('eval/questions.yaml', '- { q: x, expect: y }\n');
    const { articles, problems } = readFolder(dir);
    expect(articles).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: path.join('b', 'id-card-replacement.md'), severity: 'error', message: expect.stringContaining('duplicate id id-card-replacement') }),
        expect.objectContaining({ file: path.join('a', 'id-card-replacement.md'), line: 14, severity: 'error', message: 'broken link to kb:residence-permit-application' }),
      ]),
    );
    expect(problems.filter((p) => p.message.includes('id-card-renewal.md'))).toEqual([]);
  });
});
