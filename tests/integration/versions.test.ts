import { readFileSync, writeFileSync, mkdtempSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { dropPostgres } from '../helpers/postgres.ts';
import { SHIPPED_FLOWS, startHotline, type TestHotline } from '../helpers/hotline.ts';

const mainSource = () => readFileSync(path.join(SHIPPED_FLOWS, 'main.yaml'), 'utf8');
const withGreeting = (src: string, zh: string) => src.replace(/(greeting:\n\s+say:\n\s+zh-CN: )[^\n]+/, `$1${zh}`);

describe('flow versions: publish, pinning, rollback, diff', () => {
  let t: TestHotline | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const api = (method: string, p: string, body?: unknown, token = 'test-ops-token-0123456789') =>
    fetch(`${t!.url}/api/flows${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-hotline-user': 'ops-alice' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('publishes the shipped flows at start-up and not again when nothing changed', async () => {
    t = await startHotline();
    const list = (await (await api('GET', '')).json()) as { flows: Array<{ flowId: string; version: number; author: string }> };
    expect(list.flows.map((f) => `${f.flowId}@${f.version}`).sort()).toEqual(['callback@1', 'main@1', 'sms@1']);
    const { publishShippedFlows } = await import('../../server/main.ts');
    const problems = await publishShippedFlows(t.config.flowsDir, t.hotline.flows, t.hotline.log);
    expect(problems).toEqual([]);
    expect((await t.hotline.flows.versions('main')).length).toBe(1);
  });

  it('keeps a call on the version it started on when a new version is published mid-call', async () => {
    t = await startHotline();
    const caller = t.phone();
    const first = await caller.dial();
    expect(first.heard.join()).toContain('欢迎致电示例市12345');

    const res = await api('POST', '/main/versions', { source: withGreeting(mainSource(), '新版本问候语：您好，这里是示例市热线，请按键选择。'), message: 'new greeting' });
    expect(res.status).toBe(201);
    const published = (await res.json()) as { version: { version: number; live: boolean }; created: boolean };
    expect(published).toMatchObject({ created: true, version: { version: 2, live: true } });

    // The call in progress keeps version 1: an invalid key replays version 1's greeting.
    const again = await caller.press('7');
    expect(again.heard.join()).toContain('欢迎致电示例市12345');
    expect(again.heard.join()).not.toContain('新版本问候语');
    const row = await t.hotline.store.db.selectFrom('calls').select(['flow_version']).where('call_sid', '=', caller.callSid).executeTakeFirstOrThrow();
    expect(row.flow_version).toBe(1);

    // A new call gets version 2.
    const fresh = await t.phone().dial();
    expect(fresh.heard.join()).toContain('新版本问候语');
  });

  it('rolls back by moving the alias, and diffs versions readably', async () => {
    t = await startHotline();
    await api('POST', '/main/versions', { source: withGreeting(mainSource(), '第二版问候语，请按键选择。'), message: 'v2' });
    const diff = (await (await api('GET', '/main/diff?a=1&b=2')).json()) as { changes: string[] };
    expect(diff.changes).toHaveLength(1);
    expect(diff.changes[0]).toMatch(/^~ greeting prompt \[zh-CN\]: ".*欢迎致电.*" → "第二版问候语，请按键选择。"$/);

    const rb = (await (await api('POST', '/main/rollback', {})).json()) as { live: { version: number } };
    expect(rb.live.version).toBe(1);
    expect((await t.phone().dial()).heard.join()).toContain('欢迎致电示例市12345');
    const versions = (await (await api('GET', '/main/versions')).json()) as { versions: Array<{ version: number; live: boolean; author: string }> };
    expect(versions.versions.map((v) => [v.version, v.live])).toEqual([[2, false], [1, true]]);
    expect(versions.versions[0]!.author).toBe('ops-alice');

    // Rolling forward to an explicit version works too; an unknown version is refused.
    expect((await api('POST', '/main/rollback', { version: 2 })).status).toBe(200);
    expect((await t.phone().dial()).heard.join()).toContain('第二版问候语');
    expect((await api('POST', '/main/rollback', { version: 9 })).status).toBe(404);
  });

  it('never publishes a version that does not validate, and the live one keeps serving', async () => {
    t = await startHotline();
    const broken = mainSource().replace('        CASE: caseNumber\n', '        CASE: nowhere\n');
    expect(broken).not.toBe(mainSource());
    const res = await api('POST', '/main/versions', { source: broken, message: 'broken' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { issues: Array<{ line: number; message: string }> };
    expect(body.issues.some((i) => /target state "nowhere" does not exist/.test(i.message) && i.line > 1)).toBe(true);
    expect((await t.hotline.flows.versions('main')).map((v) => v.version)).toEqual([1]);
    expect((await t.phone().dial()).heard.join()).toContain('欢迎致电');
  });

  it('requires the ops token', async () => {
    t = await startHotline();
    expect((await api('GET', '', undefined, 'wrong-token-wrong-token1')).status).toBe(401);
    expect((await fetch(`${t.url}/api/flows`)).status).toBe(401);
  });

  it('refuses a broken shipped file at start-up with file and line, serving the last good version', async () => {
    const flowsDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-flows-'));
    cpSync(SHIPPED_FLOWS, flowsDir, { recursive: true });
    t = await startHotline({}, { flowsDir });
    const dataDir = t.dataDir;
    const databaseUrl = t.config.databaseUrl;
    await t.hotline.close();
    writeFileSync(path.join(flowsDir, 'main.yaml'), mainSource().replace('machine:\n  initial: greeting', 'machine:\n  initial: greeting\n  states: [oops'));
    // Restart on the same store with the broken file.
    t = await startHotline({ HOTLINE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '' }, { flowsDir });
    if (databaseUrl) onTestFinished(() => dropPostgres(databaseUrl));
    expect(t.hotline.flowProblems.length).toBeGreaterThan(0);
    expect(t.hotline.flowProblems[0]).toMatch(/main\.yaml:\d+:\d+ /);
    expect(t.logs.some((l) => l.level === 50 && /shipped flow refused/.test(String(l.msg)))).toBe(true);
    expect((await t.phone().dial()).heard.join()).toContain('欢迎致电示例市12345');
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
