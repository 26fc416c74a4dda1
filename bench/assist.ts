/**
 * `npm run bench -- assist [--calls 200] [--agents 500] [--seconds 30] [--every 2]`
 *
 * From a transcript webhook arriving to the suggestion event at a connected panel, with
 * `--calls` concurrent calls in the queue and `--agents` connected panels, against a real
 * `hotline serve` process (SQLite). Baseline in the same run: the transcript event itself,
 * pushed by the same webhook to the same sockets without a search. Goal: suggestions p99 < 50 ms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import twilio from 'twilio';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TwilioPhone } from '../server/cli/phone.ts';
import { openStore } from '../server/store/index.ts';
import { Users } from '../server/users/service.ts';
import { startServerProcess } from '../tests/helpers/process.ts';
import { transcriptParams } from '../tests/helpers/panel.ts';
import { f0, f1, machine, numberArg, table, writeSection } from './lib/report.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs', 'benchmarks.md');
const t0 = performance.now();
const progress = (msg: string) => process.stderr.write(`[bench assist +${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

export async function main(args: string[]): Promise<number> {
  const calls = numberArg(args, '--calls', 200);
  const agents = numberArg(args, '--agents', 500);
  const seconds = numberArg(args, '--seconds', 30);
  const every = numberArg(args, '--every', 2);
  const m = machine();
  progress(`machine: ${m.cpu}, ${m.cores} cores, node ${m.node}`);
  const questions = (parse(readFileSync(path.join(ROOT, 'knowledge', 'eval', 'questions.yaml'), 'utf8')) as Array<{ q: string }>).map((x) => x.q);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-assist-'));
  const env = { HOTLINE_DATA_DIR: dataDir, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), LOG_LEVEL: 'warn' };
  const server = await startServerProcess(env);
  try {
    progress(`server up at ${server.url}; signing in ${agents} agents`);
    const store = await openStore({ dataDir });
    const users = new Users(store.db);
    const cookies: string[] = [];
    for (let i = 0; i < agents; i += 25) {
      const batch = Array.from({ length: Math.min(25, agents - i) }, (_, k) => `agent${i + k}`);
      await Promise.all(batch.map((u) => users.add({ username: u, roles: ['agent'], password: `${u} bench password` })));
      for (const u of batch) cookies.push(`hotline_session=${await users.issue(u, 'session')}`);
      if ((i / 25) % 4 === 3) progress(`  ${cookies.length}/${agents} agents`);
    }
    await store.close();

    progress(`${calls} calls dial in and wait for a human`);
    const phones: TwilioPhone[] = [];
    for (let i = 0; i < calls; i++) {
      const phone = new TwilioPhone({ baseUrl: server.url, authToken: AUTH_TOKEN, accountSid: 'AC' + 'a'.repeat(32), from: `+86138${String(i).padStart(8, '0')}` });
      await phone.dial();
      await phone.press('0');
      phones.push(phone);
    }

    const THREADS = 2;
    progress(`connecting ${agents} panels in ${THREADS} threads; each panel watches one call`);
    const workers = Array.from({ length: THREADS }, (_, w) => {
      const mine = Array.from({ length: agents }, (_, i) => i).filter((i) => i % THREADS === w);
      return new Worker(path.join(import.meta.dirname, 'lib', 'panels-worker.mjs'), {
        workerData: { url: server.url, cookies: mine.map((i) => cookies[i]), watch: mine.map((i) => phones[i % calls]!.callSid) },
      });
    });
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    })));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const post = (phone: TwilioPhone, params: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const body = new URLSearchParams(params).toString();
        const req = http.request(`${server.url}/twilio/transcription`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${server.url}/twilio/transcription`, params) },
        }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const clock = () => performance.timeOrigin + performance.now();

    // Open loop: each call says a sentence every `every` seconds, the calls spread evenly.
    const total = Math.floor((calls * seconds) / every);
    const gapMs = (every * 1000) / calls;
    progress(`load: ${total} transcript webhooks over ${seconds} s (${f1(calls / every)} per second)`);
    const sent: Array<{ key: string; at: number; status?: number; doneAt?: number }> = [];
    const pending: Promise<void>[] = [];
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    benchLoop.enable();
    const start = clock();
    for (let n = 0; n < total; n++) {
      const due = start + n * gapMs;
      const wait = due - clock();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const phone = phones[n % calls]!;
      const round = Math.floor(n / calls);
      const text = `${questions[(n * 7 + round) % questions.length]}（${round}）`;
      const rec: { key: string; at: number; status?: number; doneAt?: number } = { key: `${phone.callSid}|${text}`, at: clock() };
      sent.push(rec);
      pending.push(
        post(phone, transcriptParams(phone.callSid, text, round + 1)).then(
          (status) => {
            rec.status = status;
            rec.doneAt = clock();
          },
          () => {
            rec.status = 0;
          },
        ),
      );
      if (n > 0 && n % Math.max(1, Math.floor(total / 10)) === 0) progress(`  ${n}/${total} sent`);
    }
    await Promise.all(pending);
    await new Promise((r) => setTimeout(r, 2000));
    benchLoop.disable();
    const transcriptAt = new Map<string, number>();
    const suggestedAt = new Map<string, number>();
    for (const w of workers) {
      const r = await new Promise<{ transcriptAt: Array<[string, number]>; suggestedAt: Array<[string, number]> }>((resolve) => {
        w.once('message', resolve);
        w.postMessage('report');
      });
      for (const [k, at] of r.transcriptAt) transcriptAt.set(k, Math.min(at, transcriptAt.get(k) ?? Infinity));
      for (const [k, at] of r.suggestedAt) suggestedAt.set(k, Math.min(at, suggestedAt.get(k) ?? Infinity));
      await w.terminate();
    }
    // The server's own event-loop delay, from its metrics (prom-client samples it).
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const lag = (name: string) => Number(new RegExp(`^hotline_process_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(metrics)?.[1]) * 1000;
    const serverLag = { p99: lag('p99'), max: lag('max') };
    const benchLag = { p99: benchLoop.percentile(99) / 1e6, max: benchLoop.max / 1e6 };

    const tLat: number[] = [];
    const sLat: number[] = [];
    const hookLat: number[] = [];
    let lostTranscripts = 0;
    let errors = 0;
    for (const r of sent) {
      if (r.status !== 200) errors++;
      if (r.doneAt) hookLat.push(r.doneAt - r.at);
      const ta = transcriptAt.get(r.key);
      if (ta === undefined) lostTranscripts++;
      else tLat.push(ta - r.at);
      const sa = suggestedAt.get(r.key);
      if (sa !== undefined) sLat.push(sa - r.at);
    }
    const slow = sent.filter((r) => r.doneAt && r.doneAt - r.at > 100);
    if (slow.length) progress(`slow webhooks (> 100 ms): ${slow.length}, sent between +${f1((slow[0]!.at - start) / 1000)} s and +${f1((slow.at(-1)!.at - start) / 1000)} s of the load`);
    for (const a of [tLat, sLat, hookLat]) a.sort((x, y) => x - y);
    const p99 = pct(sLat, 99);
    const pass = p99 < 50 && errors === 0 && lostTranscripts === 0;
    const row = (name: string, xs: number[]) => [name, f0(xs.length), `${f1(pct(xs, 50))} ms`, `${f1(pct(xs, 95))} ms`, `${f1(pct(xs, 99))} ms`, `${f1(xs.at(-1))} ms`];
    const md = [
      '## assist',
      '',
      `\`npm run bench -- assist\` — last run ${m.date}.`,
      '',
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}. The server (\`node bin/hotline.mjs serve\`, SQLite) and the bench process (every panel socket and the webhook sender) share the 2 cores.`,
      '',
      `What runs: ${f0(calls)} calls dial in and press 0 (queued for a human, transcription started); ${f0(agents)} agents signed in, each with a panel socket (socket.io-client, websocket; the panels live in two worker threads of the bench process, apart from the webhook sender) watching one of the calls (${f1(agents / calls)} panels per call on average; every panel also receives every call's list events). Then each call says one sentence every ${every} s for ${seconds} s, open loop (sent on schedule whatever the server does): a signed \`POST /twilio/transcription\` (transcription-content, Final=true) carrying a question from \`knowledge/eval/questions.yaml\`, so the searches are the real ones. Latency is from writing the webhook (keep-alive connections, at most 64) to the first panel receiving the event for that sentence, on one clock (\`performance.timeOrigin + now()\` in every thread). Baseline in the same run: the transcript event, which the same webhook pushes to the same sockets without a search. An article suggested to a call in the last two minutes is not suggested again, so not every sentence brings a suggestion event.`,
      '',
      table(['', 'events', 'p50', 'p95', 'p99', 'max'], [
        row('Transcript webhook answered (HTTP 200)', hookLat),
        row('Transcript event at a panel (baseline: store + push)', tLat),
        row('**Suggestion event at a panel** (search + store + push)', sLat),
      ]),
      '',
      `- Goal: suggestions p99 < 50 ms with ${f0(calls)} calls and ${f0(agents)} panels: **${pass ? 'PASS' : 'FAIL'}** (p99 ${f1(p99)} ms).`,
      `- Event-loop delay during the load: server p99 ${f1(serverLag.p99)} ms, max ${f1(serverLag.max)} ms (since its start); webhook sender p99 ${f1(benchLag.p99)} ms, max ${f1(benchLag.max)} ms.`,
      `- Webhooks sent ${f0(sent.length)}, non-200 answers ${f0(errors)}, transcripts that reached no panel ${f0(lostTranscripts)}, sentences that brought suggestions ${f0(sLat.length)} (${f1((100 * sLat.length) / Math.max(1, sent.length))} %).`,
    ].join('\n');
    writeSection(DOC, '## assist', md);
    process.stdout.write(`${md}\n`);
    progress(`written to ${path.relative(ROOT, DOC)}`);
    return pass ? 0 : 1;
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => (server.child.exitCode !== null ? r(undefined) : server.child.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
