import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until as waitFor } from '../helpers/wait.ts';
import { KnowledgeBase } from '../../server/knowledge/service.ts';
import { evaluate, readQuestions } from '../../server/knowledge/eval.ts';
import { readFolder } from '../../server/knowledge/folder.ts';
import { createLogger } from '../../server/log.ts';
import { REPO, startHotline, type TestHotline } from '../helpers/hotline.ts';
import { startTwilioApi } from '../helpers/twilio-api.ts';

const SHIPPED = path.join(REPO, 'knowledge');

async function until(check: () => boolean, ms = 1000): Promise<number> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

describe('the shipped knowledge base', () => {
  it('passes lint with no errors, has ≥ 60 articles from ≥ 10 departments, English ones among them', () => {
    const { articles, problems } = readFolder(SHIPPED);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(articles.length).toBeGreaterThanOrEqual(60);
    expect(new Set(articles.map((a) => a.department)).size).toBeGreaterThanOrEqual(10);
    expect(articles.filter((a) => a.lang === 'en-US').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps recall@3 at or above 0.9 on the shipped eval set', async () => {
    const kb = await KnowledgeBase.open({ dir: SHIPPED });
    const questions = readQuestions(path.join(SHIPPED, 'eval/questions.yaml'));
    expect(questions.length).toBeGreaterThanOrEqual(200);
    const r = evaluate(kb, questions);
    expect(r.recall_at_3, JSON.stringify(r.misses.slice(0, 10))).toBeGreaterThanOrEqual(0.9);
    expect(r.recall_at_1).toBeGreaterThanOrEqual(0.85);
  });

  it('tells near-duplicates apart', async () => {
    const kb = await KnowledgeBase.open({ dir: SHIPPED });
    const top = (q: string) => kb.search(q).hits[0]?.id;
    expect(top('社保卡丢了怎么补')).toBe('social-security-card-replacement');
    expect(top('身份证丢了怎么补')).toBe('id-card-replacement');
    expect(top('身份证快过期了怎么换')).toBe('id-card-renewal');
    expect(top('公积金租房能取吗')).toBe('housing-fund-withdrawal-rent');
    expect(top('买房怎么提取公积金')).toBe('housing-fund-withdrawal-purchase');
    expect(top('营业执照注销')).toBe('business-license-cancellation');
    expect(top('营业执照地址变更')).toBe('business-license-change');
    expect(top('不是要提取，我是想拿公积金贷款买房')).toBe('housing-fund-loan');
  });

  it('finds the article through a mis-heard homophone and through English', async () => {
    const kb = await KnowledgeBase.open({ dir: SHIPPED });
    expect(kb.search('新生儿胡口怎么上').hits[0]?.id).toBe('newborn-household-registration');
    expect(kb.search('where do we apply for a marriage certificate').hits[0]?.id).toBe('marriage-registration');
    // The issue's own examples: services whose articles exist only in Chinese.
    expect(kb.search('how do I get my marriage registered?').hits[0]?.id).toBe('marriage-registration');
    expect(kb.search('who fixes a broken streetlight?').hits[0]?.id).toBe('streetlight-repair');
    expect(kb.search('my housing fund, can I use it to pay rent').hits[0]?.id).toBe('housing-fund-withdrawal-rent');
  });

  it('says so when it has nothing: vague or off-topic questions get a low confidence', async () => {
    const kb = await KnowledgeBase.open({ dir: SHIPPED });
    for (const q of ['我想问一下', '今天天气怎么样', '你好', 'hello']) expect(kb.search(q).confidence, q).toBeLessThan(0.2);
    expect(kb.search('结婚登记要带什么材料').confidence).toBeGreaterThan(0.6);
  });
});

describe('editing the knowledge folder while the server runs', () => {
  let dir: string;
  let kb: KnowledgeBase;
  const errors: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-kb-'));
    cpSync(SHIPPED, dir, { recursive: true });
    const log = createLogger('info', { write: (line: string) => void (JSON.parse(line).level >= 50 && errors.push(line)) } as never);
    kb = await KnowledgeBase.open({ dir, watch: true, log });
  });
  afterAll(() => {
    kb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = () => path.join(dir, 'civil-affairs/marriage-registration.md');

  it('applies an edit within a second', async () => {
    const src = readFileSync(file(), 'utf8');
    writeFileSync(file(), src.replace(/^title: .*$/m, 'title: 结婚登记与彩虹桥预约'));
    const ms = await until(() => kb.search('彩虹桥预约').hits[0]?.id === 'marriage-registration');
    expect(ms).toBeLessThan(1000);
  });

  it('keeps the previous version answering when an edit breaks the file, and reports it', async () => {
    const src = readFileSync(file(), 'utf8');
    writeFileSync(file(), src.replace('lang: zh-CN', 'lang: [broken').replace(/^title: .*$/m, 'title: 不应出现的标题'));
    await until(() => kb.currentProblems().some((p) => p.file.endsWith('marriage-registration.md') && p.severity === 'error'));
    const problem = kb.currentProblems().find((p) => p.file.endsWith('marriage-registration.md'))!;
    expect(problem.line).toBeGreaterThan(1);
    expect(kb.get('marriage-registration')?.title).toBe('结婚登记与彩虹桥预约');
    expect(kb.search('彩虹桥预约').hits[0]?.id).toBe('marriage-registration');
    expect(errors.some((e) => e.includes('marriage-registration.md'))).toBe(true);
    writeFileSync(file(), src);
    await until(() => !kb.currentProblems().some((p) => p.file.endsWith('marriage-registration.md') && p.severity === 'error'));
  });

  it('adds and removes articles', async () => {
    const added = path.join(dir, 'civil-affairs/pet-licence.md');
    writeFileSync(
      added,
      `---\nid: pet-licence\ntitle: 养犬登记证办理\ncategory: 民政/养犬\ndepartment: 示例市公安局\nquestions: [养狗要办证吗]\nkeywords: [养犬登记, 狗证]\nvoice: 在示例市养犬需要办理养犬登记证，可以在示例办App申请，带上犬只免疫证明，审核通过后发证。\nlang: zh-CN\nupdated: 2026-06-01\n---\n正文。\n`,
    );
    await until(() => kb.search('狗证怎么办').hits[0]?.id === 'pet-licence');
    unlinkSync(added);
    await until(() => kb.get('pet-licence') === undefined);
    expect(kb.search('狗证怎么办').hits[0]?.id).not.toBe('pet-licence');
  });
});

describe('knowledge over HTTP, by voice and by SMS', () => {
  let t: TestHotline;
  let api: Awaited<ReturnType<typeof startTwilioApi>>;
  beforeAll(async () => {
    api = await startTwilioApi();
    t = await startHotline({ TWILIO_API_URL: api.url, TWILIO_SMS_FROM: '+8612345000' });
  });
  afterAll(async () => {
    await t.close();
    await api.close();
  });

  const get = (p: string, token = 'test-ops-token-0123456789') => fetch(`${t.url}/api/knowledge${p}`, { headers: { authorization: `Bearer ${token}` } });

  it('searches and reads articles over the API', async () => {
    const res = await get(`/search?q=${encodeURIComponent('公积金租房提取')}&limit=3`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decision: string; confidence: number; results: Array<{ id: string; score: number; voice: string }> };
    expect(body.results[0]!.id).toBe('housing-fund-withdrawal-rent');
    expect(body.results.length).toBeLessThanOrEqual(3);
    expect(body.decision).toBe('answer');
    const article = (await (await get('/housing-fund-withdrawal-rent')).json()) as { id: string; body: string; department: string };
    expect(article.body.length).toBeGreaterThan(100);
    expect((await get('/no-such-article')).status).toBe(404);
    expect((await get('/search')).status).toBe(400);
    expect((await get('/search?q=x', 'wrong-token-wrong-token1')).status).toBe(401);
  });

  it('reads the answer to a caller, texts it on 1 through the Twilio API, and records it with the call', async () => {
    const caller = t.phone({ from: '+8613912340001' });
    await caller.dial();
    const heard = await caller.say('公积金租房子能取出来吗');
    expect(heard.heard.join()).toContain('如需短信接收请按1');
    const sent = await caller.press('1');
    expect(sent.heard.join()).toContain('已将答案发送到您的手机');
    // Queued in the outbox first, then sent by the outbox's sender.
    const queued = () => t.hotline.store.db.selectFrom('outbox').selectAll().where('kind', '=', 'knowledge.article').execute();
    await waitFor('the article texted', async () => (await queued()).some((m) => m.status === 'sent'));
    const msg = api.requests.find((r) => r.path.endsWith('/Messages.json'));
    expect(msg?.form).toMatchObject({ To: '+8613912340001', From: '+8612345000' });
    expect(msg?.form.Body).toContain('租房');
    expect(msg?.authorization).toMatch(/^Basic /);
    expect(await queued()).toEqual([expect.objectContaining({ channel: 'sms', recipient: '+8613912340001', status: 'sent' })]);
    const rows = await t.hotline.store.db.selectFrom('knowledge_answers').selectAll().where('call_sid', '=', caller.callSid).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ article_id: 'housing-fund-withdrawal-rent', decision: 'answer', channel: 'voice' });
    expect(rows[0]!.score).toBeGreaterThan(0);
  });

  it('answers a texted question with the SMS answer and the article id', async () => {
    const { TwilioPhone } = await import('../../server/cli/phone.ts');
    const phone = new TwilioPhone({ baseUrl: t.url, authToken: t.config.authToken });
    const res = await phone.post('/twilio/sms', { MessageSid: 'SM' + 'a'.repeat(32), From: '+8613912340002', To: '+8612345', Body: '身份证丢了怎么补办' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('id-card-replacement');
    const rows = await t.hotline.store.db.selectFrom('knowledge_answers').selectAll().where('channel', '=', 'sms').execute();
    expect(rows.map((r) => r.article_id)).toContain('id-card-replacement');
  });
});

describe('the saved index', () => {
  it('opens from the cache without re-encoding, answers the same, and rebuilds when an article changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-kb-cache-'));
    const kdir = path.join(dir, 'knowledge');
    cpSync(SHIPPED, kdir, { recursive: true });
    const cacheDir = path.join(dir, 'cache');
    try {
      const first = await KnowledgeBase.open({ dir: kdir, cacheDir });
      expect(first.restoredFromCache).toBe(false);
      const second = await KnowledgeBase.open({ dir: kdir, cacheDir });
      expect(second.restoredFromCache).toBe(true);
      for (const q of ['社保卡丢了怎么办', '公积金租房提取', 'marriage certificate', '胡口迁入']) {
        expect(second.search(q).hits.map((h) => [h.id, h.score])).toEqual(first.search(q).hits.map((h) => [h.id, h.score]));
      }
      const file = path.join(kdir, 'civil-affairs/marriage-registration.md');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: 结婚登记与彩虹桥预约'));
      const third = await KnowledgeBase.open({ dir: kdir, cacheDir });
      expect(third.restoredFromCache).toBe(false);
      expect(third.search('彩虹桥预约').hits[0]?.id).toBe('marriage-registration');
      writeFileSync(path.join(cacheDir, 'knowledge-index.ndjson'), '{ not json');
      expect((await KnowledgeBase.open({ dir: kdir, cacheDir })).restoredFromCache).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
