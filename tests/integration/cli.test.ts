import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, SHIPPED_FLOWS, startHotline } from '../helpers/hotline.ts';

const run = promisify(execFile);

async function hotline(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, ['bin/hotline.mjs', ...args], { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npx hotline', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-'));
  const env = { HOTLINE_DATA_DIR: path.join(tmp, 'data'), HOTLINE_USER: 'ops-bob' };
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const main = readFileSync(path.join(SHIPPED_FLOWS, 'main.yaml'), 'utf8');

  it('flows validate passes the shipped flows and refuses a broken one with file, line and state', async () => {
    const ok = await hotline(['flows', 'validate']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok {3}flows\/main\.yaml \(main, \d+ states/);
    const bad = path.join(tmp, 'bad.yaml');
    const broken = main.replace("        POLICY: policy\n        CASE: caseNumber\n", "        POLICY: policy\n        CASE: { target: caseNumber, actions: sendFax }\n");
    writeFileSync(bad, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('sendFax')) + 1;
    const res = await hotline(['flows', 'validate', bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${bad}:${line}:`);
    expect(res.stderr).toMatch(/\[state greeting\] action "sendFax" is not implemented by the server/);
  });

  it('flows schema writes a JSON Schema editors can use', async () => {
    const out = path.join(tmp, 'flow.schema.json');
    expect((await hotline(['flows', 'schema', '--out', out])).code).toBe(0);
    const schema = JSON.parse(readFileSync(out, 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'machine', 'human', 'languages']));
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'machine', 'human']));
  });

  it('kb schema writes the JSON Schema of an article\'s front matter', async () => {
    const out = path.join(tmp, 'article.schema.json');
    expect((await hotline(['kb', 'schema', '--out', out])).code).toBe(0);
    const schema = JSON.parse(readFileSync(out, 'utf8')) as { properties: Record<string, { enum?: string[] }>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'title', 'category', 'department', 'questions', 'keywords', 'voice', 'sms', 'lang', 'updated', 'review_by']));
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'title', 'category', 'department', 'voice', 'lang', 'updated']));
    expect(schema.required).not.toContain('sms');
    expect(schema.properties.lang!.enum).toEqual(['zh-CN', 'en-US']);
  });

  it('ends quietly when its reader stops early (`kb search … | head -1`)', async () => {
    const child = spawn(process.execPath, ['bin/hotline.mjs', 'kb', 'search', '社保卡丢了咋办', '--limit', '50'], { cwd: REPO, env: { ...process.env, LOG_LEVEL: 'silent' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });

  it('publish, versions, diff and rollback work on the local store', async () => {
    const file = path.join(tmp, 'main.yaml');
    writeFileSync(file, main);
    const p1 = await hotline(['flows', 'publish', file, '-m', 'first'], env);
    expect(p1.stdout).toMatch(/published main version 1/);
    const same = await hotline(['flows', 'publish', file, '-m', 'again'], env);
    expect(same.stdout).toMatch(/already has this content; nothing published/);
    writeFileSync(file, main.replace('Connecting you to an agent, please hold.', 'Please hold for the next agent.'));
    expect((await hotline(['flows', 'publish', file, '-m', 'shorter hold'], env)).stdout).toMatch(/published main version 2/);
    const versions = await hotline(['flows', 'versions', 'main'], env);
    expect(versions.stdout.split('\n')[0]).toMatch(/^\* v2 .* ops-bob {2}shorter hold$/);
    const diff = await hotline(['flows', 'diff', 'main', '1', '2'], env);
    expect(diff.stdout).toContain('~ agent prompt [en-US]: "Connecting you to an agent, please hold." → "Please hold for the next agent."');
    const rb = await hotline(['flows', 'rollback', 'main'], env);
    expect(rb.stdout).toContain('live is now version 1');
    expect((await hotline(['flows', 'rollback', 'nope'], env)).code).toBe(1);
  });

  it('refuses to publish an invalid file and says nothing was published', async () => {
    const file = path.join(tmp, 'invalid.yaml');
    writeFileSync(file, main.replace('maxRetries: 2', 'maxRetries: 99'));
    const res = await hotline(['flows', 'publish', file, '-m', 'bad'], { ...env, HOTLINE_DATA_DIR: path.join(tmp, 'data2') });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/invalid\.yaml:\d+:\d+ maxRetries:/);
    expect(res.stderr).toContain('nothing was published');
  });

  it('simulate --script plays a call against a running server and prints the transcript', async () => {
    const t = await startHotline();
    try {
      const script = path.join(SHIPPED_FLOWS, 'calls/main/en-switch-language.yaml');
      const res = await hotline(['simulate', '--script', script, '--url', t.url], {
        PUBLIC_URL: t.url,
        TWILIO_AUTH_TOKEN: t.config.authToken,
        HOTLINE_DATA_DIR: path.join(tmp, 'sim'),
      });
      expect(res.code, res.stderr).toBe(0);
      const out = JSON.parse(res.stdout) as { passed: boolean; transcript: Array<{ action: string; heard?: string[]; handoff?: string }> };
      expect(out.passed).toBe(true);
      expect(out.transcript.map((s) => s.action)).toEqual(['dial main', 'press 9', 'press 1', 'say "Agent."']);
      expect(out.transcript.at(-1)!.handoff).toBe('english');
      // With the wrong token the server refuses every request.
      const forged = await hotline(['simulate', '--script', script, '--url', t.url], { PUBLIC_URL: t.url, TWILIO_AUTH_TOKEN: 'not-the-right-token-123', HOTLINE_DATA_DIR: path.join(tmp, 'sim') });
      expect(forged.code).not.toBe(0);
    } finally {
      await t.close();
    }
  });

  it('report daily prints the report as JSON, CSV, XLSX or HTML, beside the day before and a year before', async () => {
    const dataDir = path.join(tmp, 'report-data');
    const { openStore } = await import('../../server/store/index.ts');
    const { Cases } = await import('../../server/cases/service.ts');
    const { DeadlinePolicy } = await import('../../server/cases/deadlines.ts');
    const { WorkCalendar } = await import('../../server/cases/calendar.ts');
    const store = await openStore({ dataDir });
    const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));
    const cases = new Cases(store.db, policy, policy.rules, () => new Date('2026-10-15T02:00:00Z'));
    for (const type of ['投诉', '咨询'] as const) await cases.create({ type, category: '市场监管/消费维权', urgency: 'normal', callerPhone: '+8613800138000', description: '测试', channel: 'voice', by: 'agent-li' });
    await store.close();
    const json = await hotline(['report', 'daily', '--date', '2026-10-15'], { HOTLINE_DATA_DIR: dataDir });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { current: { cases: { received: number }; period: { from: string } }; previous: { cases: { received: number } } };
    expect(report.current.cases.received).toBe(2);
    expect(report.previous.cases.received).toBe(0);
    expect(report.current.period.from).toBe('2026-10-14T16:00:00.000Z');
    const out = path.join(tmp, 'daily.csv');
    const csv = await hotline(['report', 'daily', '--date', '2026-10-15', '--format', 'csv', '--out', out], { HOTLINE_DATA_DIR: dataDir });
    expect(csv.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows[0]![0]).toBe('日报 Daily report 2026-10-15');
    expect(rows.find((r) => r[0] === 'cases.received')).toEqual(['cases.received', '受理量 Cases received', '2', '0', '0', '', '']);
    // A rate with nothing to count: empty, with its 0 / 0 beside it.
    expect(rows.find((r) => r[0] === 'cases.satisfaction')).toEqual(['cases.satisfaction', '满意率 Satisfaction', '', '', '', '0', '0']);
    expect(rows.find((r) => r[0] === '市场监管/消费维权')).toEqual(['市场监管/消费维权', '2']);
    const xlsx = path.join(tmp, 'daily.xlsx');
    expect((await hotline(['report', 'daily', '--date', '2026-10-15', '--format', 'xlsx', '--out', xlsx], { HOTLINE_DATA_DIR: dataDir })).code).toBe(0);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const received: unknown[] = [];
    book.getWorksheet('measures')!.eachRow((r) => {
      if (r.getCell(1).value === 'cases.received') received.push(r.getCell(3).value, r.getCell(4).value);
    });
    expect(received).toEqual([2, 0]);
    const html = path.join(tmp, 'daily.html');
    expect((await hotline(['report', 'daily', '--date', '2026-10-15', '--format', 'html', '--out', html], { HOTLINE_DATA_DIR: dataDir })).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/<b>2<\/b><span>受理量/);
    const noOut = await hotline(['report', 'daily', '--format', 'xlsx'], { HOTLINE_DATA_DIR: dataDir });
    expect(noOut.code).not.toBe(0);
    expect(noOut.stderr).toContain('--out');
    const bad = await hotline(['report', 'yearly'], { HOTLINE_DATA_DIR: dataDir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('daily, weekly or monthly');
  });
});
