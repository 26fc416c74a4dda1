import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwilioPhone } from '../../server/cli/phone.ts';
import { openStore } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshPostgres, testStore } from '../helpers/postgres.ts';
import { freePort, startServerProcess } from '../helpers/process.ts';

describe(`a real server process killed with SIGKILL mid-call (${testStore()} store)`, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-restart-'));
  const children: ChildProcess[] = [];
  let postgres: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  beforeAll(async () => {
    if (testStore() === 'postgres') postgres = await freshPostgres();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.drop();
  });

  async function start(port: number) {
    const server = await startServerProcess(
      { HOTLINE_DATA_DIR: dataDir, DATABASE_URL: postgres?.url ?? '', TWILIO_AUTH_TOKEN: 'restart-test-token-0123456789', HOTLINE_DEADLINE_SCAN_SECONDS: '1' },
      port,
    );
    children.push(server.child);
    return server.child;
  }

  it('continues the call on the restarted server, and replays answer the same', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await start(port);
    const caller = new TwilioPhone({ baseUrl: url, authToken: 'restart-test-token-0123456789', from: '+8613912345678' });
    expect((await caller.dial()).heard.join()).toContain('欢迎致电');
    const inPolicy = await caller.press('1');
    expect(inPolicy.heard.join()).toContain('请说出您要咨询的政策问题');
    const actionBeforeKill = inPolicy.gather!.action;

    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(first.signalCode).toBe('SIGKILL');

    await start(port);
    // The caller, still in the policy menu, presses * — the restarted node knows where they are.
    const back = await caller.press('*');
    expect(back.heard.join()).toContain('欢迎致电示例市12345');
    const answerAfterRestart = caller.lastBody;
    // Twilio retrying the request it sent before the kill gets the answer it would have had.
    const replay = await caller.post(actionBeforeKill, { CallSid: caller.callSid, Digits: '*', From: '+8613912345678' });
    expect(replay.status).toBe(200);
    expect(replay.body).toBe(answerAfterRestart);
    const agent = await caller.say('人工');
    expect(agent.handoff?.queue).toBe('general');
    expect(await caller.hangup(42)).toBe(200);
  });

  it('a case acknowledged with 201 is still there after kill -9', async () => {
    const env = { ...process.env, HOTLINE_DATA_DIR: dataDir, DATABASE_URL: postgres?.url ?? '' };
    const add = spawn(process.execPath, ['bin/hotline.mjs', 'users', 'add', 'agent-kill', '--role', 'agent', '--password-stdin'], { cwd: REPO, env, stdio: ['pipe', 'ignore', 'inherit'] });
    add.stdin!.end('agent kill password');
    expect(await new Promise((r) => add.once('exit', r))).toBe(0);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await start(port);
    const login = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent-kill', password: 'agent kill password' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const res = await fetch(`${url}/api/cases`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ type: '求助', category: '城市管理/路灯', callerPhone: '+8613800138000', description: '路灯不亮', channel: 'voice' }),
    });
    expect(res.status).toBe(201);
    const id = ((await res.json()) as { case: { id: string } }).case.id;
    first.kill('SIGKILL'); // at once, with no chance to flush anything
    await new Promise((r) => first.once('exit', r));

    await start(port);
    const again = await fetch(`${url}/api/cases/${id}`, { headers: { cookie } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { case: { id: string; description: string } }).case).toMatchObject({ id, description: '路灯不亮' });
  });

  it('walks a complaint through its whole life on a real server process: returned, re-dispatched, late and escalated once, extended, replied, closed; an illegal move refused', async () => {
    const env = { ...process.env, HOTLINE_DATA_DIR: dataDir, DATABASE_URL: postgres?.url ?? '' };
    for (const [name, role, dept] of [['walk-agent', 'agent', ''], ['walk-hrss', 'handler', 'HRSS'], ['walk-market', 'handler', 'MARKET'], ['walk-sup', 'supervisor', '']]) {
      const add = spawn(process.execPath, ['bin/hotline.mjs', 'users', 'add', name!, '--role', role!, ...(dept ? ['--department', dept] : []), '--password-stdin'], { cwd: REPO, env, stdio: ['pipe', 'ignore', 'inherit'] });
      add.stdin!.end(`${name} password!`);
      expect(await new Promise((r) => add.once('exit', r))).toBe(0);
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await start(port);
    const cookie: Record<string, string> = {};
    for (const name of ['walk-agent', 'walk-hrss', 'walk-market', 'walk-sup']) {
      const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: name, password: `${name} password!` }) });
      cookie[name] = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    }
    const api = async (who: string, method: string, p: string, body?: unknown) => {
      const res = await fetch(`${url}/api/cases${p}`, { method, headers: { cookie: cookie[who]!, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const move = (who: string, id: string, body: unknown) => api(who, 'POST', `/${id}/events`, body);

    const id = (await api('walk-agent', 'POST', '', { type: '投诉', category: '市场监管/价格', callerPhone: '+8613800138000', description: '结账价格比标价高', channel: 'voice' })).body.case.id as string;
    expect((await move('walk-agent', id, { type: 'DISPATCH', department: 'HRSS' })).status).toBe(201);
    expect((await move('walk-hrss', id, { type: 'RETURN', reason: '不属于本单位' })).status).toBe(201);
    expect((await move('walk-agent', id, { type: 'REDISPATCH', department: 'MARKET' })).status).toBe(201);
    expect((await move('walk-market', id, { type: 'ACCEPT' })).status).toBe(201);

    // Late: the reply deadline is moved into the past, as time would; the server's own scheduler finds it.
    const store = await openStore({ dataDir, databaseUrl: postgres?.url });
    const past = new Date(Date.now() - 60_000).toISOString();
    await store.db.updateTable('cases').set({ due_at: past, warn_at: past, next_check_at: past }).where('id', '=', id).execute();
    await store.close();
    const deadline = Date.now() + 10_000;
    let supervised = 0;
    while (Date.now() < deadline) {
      supervised = (await api('walk-sup', 'GET', `/${id}`)).body.case.supervisions;
      if (supervised > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 2500)); // more scans pass
    expect((await api('walk-sup', 'GET', `/${id}/events`)).body.events.filter((e: { type: string }) => e.type === 'SUPERVISE')).toHaveLength(1);

    expect((await move('walk-market', id, { type: 'REQUEST_EXTENSION', reason: '需现场核查', workingDays: 3 })).status).toBe(201);
    expect((await move('walk-sup', id, { type: 'APPROVE_EXTENSION' })).status).toBe(201);
    expect((await move('walk-market', id, { type: 'REPLY' })).status).toBe(201);
    const illegal = await move('walk-market', id, { type: 'START' });
    expect(illegal.status).toBe(409);
    expect((await move('walk-agent', id, { type: 'CALLBACK', satisfied: true })).status).toBe(201);
    const closed = await move('walk-agent', id, { type: 'CLOSE' });
    expect(closed.body.case).toMatchObject({ state: 'closed', supervisions: 1, extensions: 1 });
    const history = (await api('walk-agent', 'GET', `/${id}/events`)).body.events.map((e: { type: string }) => e.type);
    expect(history).toEqual(['CREATE', 'DISPATCH', 'RETURN', 'REDISPATCH', 'ACCEPT', 'SUPERVISE', 'REQUEST_EXTENSION', 'APPROVE_EXTENSION', 'REPLY', 'CALLBACK', 'CLOSE']);
  });
});
