import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { TwilioPhone } from '../../server/cli/phone.ts';
import { openStore } from '../../server/store/index.ts';
import { Users } from '../../server/users/service.ts';
import { freshPostgres } from '../helpers/postgres.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { connectPanel, login, recordCalls, transcriptParams, type PanelClient } from '../helpers/panel.ts';

const REDIS_URL = process.env.HOTLINE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const PUBLIC_URL = 'http://hotline.test';
const AUTH_TOKEN = 'two-nodes-auth-token-0123456789';

/**
 * Past one machine: two real server processes on one PostgreSQL and one Redis, behind a
 * "load balancer" that sends each webhook to the other node.
 */
describe('two nodes on one PostgreSQL and one Redis', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let drop: () => Promise<void>;
  const dirs: string[] = [];
  const sockets: PanelClient[] = [];

  beforeAll(async () => {
    const probe = createClient({ url: REDIS_URL, socket: { connectTimeout: 3000, reconnectStrategy: false } });
    try {
      await probe.connect();
      await probe.quit();
    } catch (err) {
      throw new Error(`Redis is not reachable at ${REDIS_URL} (${(err as Error).message}); start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
    }
    const pg = await freshPostgres();
    drop = pg.drop;
    const env = () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-node-'));
      dirs.push(dataDir);
      return {
        DATABASE_URL: pg.url,
        REDIS_URL,
        HOTLINE_REDIS_PREFIX: `hotline-test-${randomBytes(4).toString('hex')}`,
        HOTLINE_DATA_DIR: dataDir,
        PUBLIC_URL,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
        HOTLINE_OPS_TOKEN: 'two-nodes-ops-token-0123',
      };
    };
    const shared = env();
    a = await startServerProcess({ ...shared, PUBLIC_URL });
    b = await startServerProcess({ ...shared, HOTLINE_DATA_DIR: env().HOTLINE_DATA_DIR, PUBLIC_URL });
    const store = await openStore({ dataDir: shared.HOTLINE_DATA_DIR, databaseUrl: pg.url });
    await new Users(store.db).add({ username: 'alice', roles: ['agent'], password: 'alice password!' });
    await store.close();
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const p of [a, b]) p?.child.kill('SIGTERM');
    // A node that does not stop within 10 s fails the suite rather than stalling it.
    await Promise.all(
      [a, b].map(
        (p) =>
          p &&
          p.child.exitCode === null &&
          new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('a server process did not stop within 10 s of SIGTERM')), 10_000);
            p.child.once('exit', () => (clearTimeout(timer), resolve(undefined)));
          }),
      ),
    );
    await drop?.();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('continues a call whose webhooks alternate between the nodes, and an agent on node A sees live what node B serves', async () => {
    const cookie = await login(a.url, 'alice', 'alice password!');
    const alice = await connectPanel(a.url, cookie);
    sockets.push(alice);
    const seen = recordCalls(alice);
    const served: string[] = [];
    let n = 0;
    // Each request goes to the other node, as a round-robin balancer would.
    const balancer: typeof fetch = (input, init) => {
      const node = n++ % 2 === 0 ? a : b;
      served.push(node === a ? 'A' : 'B');
      return fetch(String(input).replace(PUBLIC_URL, node.url), init);
    };
    const phone = new TwilioPhone({ baseUrl: PUBLIC_URL, publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, accountSid: 'AC' + 'a'.repeat(32), from: '+8613800138000', fetchImpl: balancer });

    const menu = await phone.dial();
    expect(menu.gather).toBeDefined();
    await seen.next((e) => e.type === 'call.started' && e.callSid === phone.callSid);
    const ask = await phone.press('1');
    expect(ask.gather?.input).toContain('speech');
    const answer = await phone.say('社保卡丢了怎么补办');
    expect(answer.heard.join('')).toContain('社保卡');
    const answered = await seen.next((e) => e.type === 'call.answer' && e.callSid === phone.callSid);
    expect(answered.type === 'call.answer' && answered.articleId).toBe('social-security-card-replacement');
    const human = await phone.press('0');
    expect(human.handoff?.queue).toBeDefined();
    await seen.next((e) => e.type === 'call.handed_off' && e.callSid === phone.callSid);
    // Both nodes served the call's webhooks, and it went on as one call.
    expect(served).toEqual(expect.arrayContaining(['A', 'B']));
    const steps = seen.events.filter((e) => e.type === 'call.step' && e.callSid === phone.callSid);
    expect(steps.map((e) => e.type === 'call.step' && e.input?.event).filter(Boolean)).toEqual(['POLICY', 'SPEECH', 'AGENT']);

    // Alice (on A) opens the call; the transcript goes to B: she sees the words and the suggestions live.
    await alice.emitWithAck('watch', phone.callSid);
    const viaB = new TwilioPhone({ baseUrl: b.url, publicUrl: PUBLIC_URL, authToken: AUTH_TOKEN, callSid: phone.callSid });
    expect((await viaB.post('/twilio/transcription', transcriptParams(phone.callSid, '我还想问公积金租房提取需要什么材料', 1))).status).toBe(200);
    await seen.next((e) => e.type === 'call.transcript' && e.callSid === phone.callSid);
    const suggested = await seen.next((e) => e.type === 'call.suggestions' && e.callSid === phone.callSid);
    expect(suggested.type === 'call.suggestions' && suggested.hits[0]!.id).toBe('housing-fund-withdrawal-rent');

    // A panel connecting to B later gets the whole call from the shared store.
    const onB = await connectPanel(b.url, cookie);
    sockets.push(onB);
    const synced = (await onB.emitWithAck('sync', { watch: [phone.callSid] })) as { calls: Record<string, Array<{ type: string }>> };
    expect(synced.calls[phone.callSid]!.map((e) => e.type)).toEqual(expect.arrayContaining(['call.started', 'call.answer', 'call.handed_off', 'call.transcript', 'call.suggestions']));

    // Every event reached Alice once: one start, one suggestion per sentence, no id twice.
    const mine = seen.events.filter((e) => e.callSid === phone.callSid);
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
    expect(mine.filter((e) => e.type === 'call.started')).toHaveLength(1);
    expect(mine.filter((e) => e.type === 'call.suggestions')).toHaveLength(1);

    // Redis drops the nodes' subscriptions (what it carried meanwhile is lost): once it is back,
    // the nodes drop their panels' sockets so that each panel resynchronises from the store.
    const killer = createClient({ url: REDIS_URL });
    await killer.connect();
    const dropped = new Promise<string>((resolve) => alice.once('disconnect', (reason) => resolve(reason)));
    await killer.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    await killer.quit();
    expect(await dropped).toBe('io server disconnect');
    alice.connect();
    await new Promise((resolve) => alice.once('connect', () => resolve(undefined)));
    const again = (await alice.emitWithAck('sync', { watch: [phone.callSid] })) as { calls: Record<string, Array<{ type: string }>> };
    expect(again.calls[phone.callSid]!.some((e) => e.type === 'call.suggestions')).toBe(true);

    // The hang-up reaches A through B.
    await viaB.post('/twilio/voice/status', { CallSid: phone.callSid, AccountSid: 'AC' + 'a'.repeat(32), CallStatus: 'completed', CallDuration: '95' });
    await seen.next((e) => e.type === 'call.ended' && e.callSid === phone.callSid);
  });
});
