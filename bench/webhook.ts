/**
 * `npm run bench -- webhook`: what one full voice webhook step costs (signature check, load
 * the call's snapshot, transition, render TwiML, save with the step compare-and-set) next to a
 * bare Express handler that returns fixed TwiML behind the same body parser.
 *
 * Both servers run in child processes (the hotline is the real `bin/hotline.mjs serve` with a
 * fresh SQLite data dir and real signatures); this process only generates load and measures.
 * Phases: start servers → dial calls → per server: warm-up, closed-loop throughput (CPU per
 * request read from /proc/<pid>/stat) → per server: open-loop latency at a fixed rate →
 * a CPU profile of the hotline under load → tables on stdout and in docs/benchmarks.md.
 *
 * Each call in the `main` flow waits in `greeting`; pressing 9 toggles the language and stays
 * there, so every call can be stepped forever. The load generator keeps each call's next step
 * and never has two requests in flight for one call (calls are checked out of a pool).
 *
 * Flags: --quick (short phases, for trying the harness), --no-write (leave docs alone),
 * --no-profile, --calls N, --duration S, --connections N, --rate R.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type TwilioSdk from 'twilio';
import type Autocannon from 'autocannon';
import { f0, f1, machine, numberArg, table, writeSection } from './lib/report.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const DOC = path.join(REPO, 'docs', 'benchmarks.md');

const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const OPS_TOKEN = 'bench-ops-token-0123456789';

const GOALS = { cpuRatio: 1.5, throughputRatio: 0.67, p99Ms: 20 };

// ---------------------------------------------------------------- bare baseline server (child)

type Kind = 'bare' | 'node' | 'hotline';

/**
 * The baselines: same kind of process, a fixed VoiceResponse behind Express with the same
 * urlencoded parser (the issue's baseline), or (`plain`) behind node:http parsing the form
 * with URLSearchParams — the floor the hotline's own webhook path stands on.
 */
async function serveBare(plain: boolean): Promise<void> {
  const { default: express } = await import('express');
  const { default: twilio } = await import('twilio');
  const port = Number(process.env.PORT ?? 0);
  const publicUrl = process.env.PUBLIC_URL ?? `http://127.0.0.1:${port}`;
  // A document shaped like the greeting the hotline renders: Gather with a Say, then Redirect.
  const r = new twilio.twiml.VoiceResponse();
  const action = `${publicUrl}/twilio/voice?step=2`;
  const g = r.gather({ input: ['dtmf', 'speech'], action, method: 'POST', timeout: 6, actionOnEmptyResult: true, numDigits: 1, language: 'en-US', speechTimeout: 'auto', hints: 'policy,check my case,complaint,agent,English' });
  g.say(
    { voice: 'Polly.Joanna-Neural', language: 'en-US' },
    'Welcome to the Example City 12345 citizen service line. You can tell me your question, or press 1 for policy questions, 2 to check a case, 3 for a complaint, report or suggestion, or 0 for an agent. 中文服务请按9。',
  );
  r.redirect({ method: 'POST' }, action);
  const fixed = r.toString();

  const listener: http.RequestListener = plain ? plainHandler(fixed) : expressApp(express, fixed);
  const server = http.createServer(listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.stdout.write(`bare server listening on ${port}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/** node:http alone: read the body, parse the form, answer the fixed TwiML. */
function plainHandler(fixed: string): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/twilio/voice')) {
      res.writeHead(req.url === '/healthz' ? 200 : 404, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      new URLSearchParams(Buffer.concat(chunks).toString('utf8')).forEach(() => undefined);
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(fixed) }).end(fixed);
    });
  };
}

/** Express with the urlencoded parser, as a typical Twilio sample app. */
function expressApp(express: typeof import('express'), fixed: string): http.RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false); // as the hotline does
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const twilioBody = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  app.post('/twilio/voice', twilioBody, (_req, res) => {
    res.status(200).type('text/xml').send(fixed);
  });
  return app;
}

// ---------------------------------------------------------------- helpers

const t0 = performance.now();
function progress(msg: string): void {
  process.stderr.write(`[bench webhook +${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) the process has used, in ms; undefined without /proc. */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(base: string, method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: u.hostname, port: u.port, method, path: pathAndQuery, headers: body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  dataDir: string;
  logFile: string;
  exited: Promise<number | null>;
}

async function spawnServer(name: string, nodeArgs: string[], script: string[], env: Record<string, string>, dataDir: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(dataDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: REPO,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, ...env },
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (dead) throw new Error(`${name} server exited during start-up; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      const r = await request(url, 'GET', '/healthz');
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} server did not answer /healthz within 30 s; see ${logFile}`);
    await sleep(100);
  }
  return { name, child, url, dataDir, logFile, exited };
}

function startHotline(dataDir: string, nodeArgs: string[] = []): Promise<Server> {
  // BENCH_HOTLINE_NODE_ARGS: extra node flags for the hotline child, for investigating (e.g. --trace-gc).
  const extra = (process.env.BENCH_HOTLINE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  return spawnServer('hotline', [...extra, ...nodeArgs], [path.join(REPO, 'bin', 'hotline.mjs'), 'serve'], {
    HOTLINE_DATA_DIR: dataDir,
    HOTLINE_FLOWS_DIR: path.join(REPO, 'flows'),
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    HOTLINE_OPS_TOKEN: OPS_TOKEN,
    DATABASE_URL: '',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  }, dataDir);
}

function startBare(dataDir: string, nodeArgs: string[] = [], plain = false): Promise<Server> {
  return spawnServer(plain ? 'node' : 'bare', nodeArgs, [path.join(REPO, 'bin', 'bench.mjs'), 'webhook', '--serve-bare', ...(plain ? ['--plain'] : [])], {}, dataDir);
}

async function stopServer(s: Server): Promise<number | null> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
  const code = await s.exited;
  clearTimeout(t);
  return code;
}

// ---------------------------------------------------------------- calls and signed steps

interface Call {
  sid: string;
  from: string;
  /** The step token the server expects next (from the last Gather action). */
  step: number;
}

/** Calls checked out one request at a time, first in first out. */
class CallPool {
  private q: Call[];
  private head = 0;
  constructor(calls: Call[]) {
    this.q = calls.slice();
  }
  take(): Call | undefined {
    if (this.head >= this.q.length) return undefined;
    const c = this.q[this.head++]!;
    if (this.head > 8192 && this.head * 2 > this.q.length) {
      this.q = this.q.slice(this.head);
      this.head = 0;
    }
    return c;
  }
  give(c: Call): void {
    this.q.push(c);
  }
  get free(): number {
    return this.q.length - this.head;
  }
}

/** The parameters Twilio posts to a Gather action (a key press), as a real call sends them. */
function gatherParams(c: Call, digits: string | undefined, status = 'in-progress'): Record<string, string> {
  const p: Record<string, string> = {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: c.sid,
    CallStatus: status,
    Called: '+8612345',
    CalledCity: '',
    CalledCountry: 'CN',
    CalledState: '',
    CalledZip: '',
    Caller: c.from,
    CallerCity: '',
    CallerCountry: 'CN',
    CallerState: '',
    CallerZip: '',
    Direction: 'inbound',
    From: c.from,
    FromCity: '',
    FromCountry: 'CN',
    FromState: '',
    FromZip: '',
    To: '+8612345',
    ToCity: '',
    ToCountry: 'CN',
    ToState: '',
    ToZip: '',
  };
  if (digits !== undefined) Object.assign(p, { Digits: digits, FinishedOnKey: '', msg: 'Gather End' });
  return p;
}

let twilioMod: typeof TwilioSdk;

function signed(publicUrl: string, pathAndQuery: string, params: Record<string, string>): { path: string; headers: Record<string, string>; body: string } {
  const signature = twilioMod.getExpectedTwilioSignature(AUTH_TOKEN, publicUrl + pathAndQuery, params);
  return {
    path: pathAndQuery,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  };
}

/** The next step of a call: press 9 (toggle language; the call stays in the greeting). */
function stepRequest(publicUrl: string, c: Call) {
  return signed(publicUrl, `/twilio/voice?step=${c.step}`, gatherParams(c, '9'));
}

function newCall(i: number): Call {
  return { sid: 'CA' + randomBytes(16).toString('hex'), from: '+86139' + String(10_000_000 + i).slice(-8), step: 1 };
}

const STEP_RE = /\/twilio\/voice\?step=(\d+)"/;

async function dialCalls(s: Server, n: number, concurrency = 32): Promise<Call[]> {
  const calls: Call[] = [];
  let next = 0;
  let failed = 0;
  let lastReport = performance.now();
  const worker = async () => {
    while (next < n) {
      const c = newCall(next++);
      const r = signed(s.url, '/twilio/voice', gatherParams(c, undefined, 'ringing'));
      const res = await request(s.url, 'POST', r.path, r.headers, r.body);
      const m = STEP_RE.exec(res.body);
      if (res.status === 200 && m && m[1] === '1') calls.push(c);
      else if (failed++ < 3) progress(`  dial failed: ${res.status} ${res.body.slice(0, 200)}`);
      if (performance.now() - lastReport > 2000) {
        lastReport = performance.now();
        progress(`  dialled ${calls.length}/${n}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failed) throw new Error(`${failed} of ${n} dials failed`);
  return calls;
}

// ---------------------------------------------------------------- load phases

interface Tally {
  responses: number;
  non2xx: number;
  /** Hotline: the response's action carried step+1 (the call advanced exactly once). */
  advanced: number;
  notAdvanced: number;
  sampled: number;
  sampleInvalid: number;
  examples: string[];
}

const newTally = (): Tally => ({ responses: 0, non2xx: 0, advanced: 0, notAdvanced: 0, sampled: 0, sampleInvalid: 0, examples: [] });

let readTwimlFn: typeof import('../server/cli/phone.ts').readTwiml;
const SAMPLE_EVERY = 97;

/** Check one response, move the call's step on, and validate a sample as TwiML. */
function record(t: Tally, kind: Kind, c: Call, status: number, body: string): void {
  t.responses++;
  if (status < 200 || status >= 300) {
    t.non2xx++;
    if (t.examples.length < 3) t.examples.push(`HTTP ${status}: ${body.slice(0, 160)}`);
    return;
  }
  if (kind === 'hotline') {
    const m = STEP_RE.exec(body);
    const next = m ? Number(m[1]) : NaN;
    if (next === c.step + 1) t.advanced++;
    else {
      t.notAdvanced++;
      if (t.examples.length < 3) t.examples.push(`step ${c.step} answered with ${m ? `step ${next}` : 'no Gather'}: ${body.slice(0, 160)}`);
    }
    if (m) c.step = next;
  } else {
    c.step++;
    t.advanced++;
  }
  if (t.responses % SAMPLE_EVERY === 1) {
    t.sampled++;
    try {
      const doc = readTwimlFn(body);
      if (!doc.gather?.action.includes('/twilio/voice?step=') || doc.heard.length === 0) throw new Error('no Gather with a step action and a prompt');
    } catch (err) {
      t.sampleInvalid++;
      if (t.examples.length < 3) t.examples.push(`invalid TwiML (${(err as Error).message}): ${body.slice(0, 160)}`);
    }
  }
}

interface ClosedResult {
  kind: Kind;
  seconds: number;
  sent: number;
  inFlightAtStop: number;
  rps: number;
  cpuMs?: number;
  cpuUsPerReq?: number;
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  tally: Tally;
}

let autocannonFn: typeof Autocannon;

/** Closed loop: `connections` connections, each sends its next request when the last answers. */
async function closedLoop(s: Server, kind: Kind, pool: CallPool, seconds: number, connections: number): Promise<ClosedResult> {
  if (pool.free < connections * 2) throw new Error(`only ${pool.free} calls free for ${connections} connections; raise --calls`);
  const tally = newTally();
  const inFlight = new Set<Call>();
  let sent = 0;
  type Ctx = { call?: Call };
  const cpu0 = cpuMs(s.child.pid);
  const started = performance.now();
  const connErrors = new Map<string, number>();
  const sentAt = new Map<Call, number>();
  const inst = autocannonFn({
    url: s.url,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/twilio/voice',
        setupRequest: (req, context) => {
          const c = pool.take();
          if (!c) throw new Error('call pool exhausted');
          inFlight.add(c);
          sentAt.set(c, performance.now());
          sent++;
          (context as Ctx).call = c;
          const r = stepRequest(s.url, c);
          return { ...req, method: 'POST', path: r.path, headers: { ...req.headers, ...r.headers }, body: r.body };
        },
        onResponse: (status, body, context) => {
          const c = (context as Ctx).call!;
          inFlight.delete(c);
          record(tally, kind, c, status, body);
          pool.give(c);
        },
      },
    ],
  });
  // Without a callback autocannon returns its tracker (an EventEmitter) made thenable.
  (inst as unknown as import('node:events').EventEmitter).on('reqError', (err: Error & { code?: string }) => {
    const k = err.code ?? err.message;
    connErrors.set(k, (connErrors.get(k) ?? 0) + 1);
  });
  const result = await inst;
  for (const [k, n] of connErrors) if (k !== 'request timed out' && tally.examples.length < 3) tally.examples.push(`${n}× connection error ${k}`);
  if (process.env.BENCH_DEBUG) {
    const now = performance.now();
    const ages = [...inFlight].map((c) => [c.sid, c.step, now - (sentAt.get(c) ?? now)] as const).sort((a, b) => b[2] - a[2]);
    progress(`  debug: latency max ${result.latency.max} ms, timeouts ${result.timeouts}, errors ${result.errors}, in flight at stop ${inFlight.size}, oldest ${ages.slice(0, 3).map((a) => `${a[0]} step ${a[1]} ${a[2].toFixed(0)} ms`).join('; ')}`);
  }
  const elapsed = (performance.now() - started) / 1000;
  // Let the server finish what was in flight when autocannon stopped, then read its CPU.
  await sleep(300);
  const cpu1 = cpuMs(s.child.pid);
  // Calls with a request in flight at the stop are dropped: their step is unknown now.
  const cpu = cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined;
  const seconds_ = result.duration || elapsed;
  return {
    kind,
    seconds: seconds_,
    sent,
    inFlightAtStop: inFlight.size,
    rps: tally.responses / seconds_,
    cpuMs: cpu,
    // Everything sent reached the server (the in-flight ones were still served), so divide by sent.
    cpuUsPerReq: cpu !== undefined ? (cpu * 1000) / sent : undefined,
    latency: { p50: result.latency.p50, p99: result.latency.p99 },
    errors: result.errors,
    timeouts: result.timeouts,
    tally,
  };
}

interface OpenResult {
  kind: Kind;
  rate: number;
  seconds: number;
  sent: number;
  completed: number;
  failed: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  maxLagMs: number;
  /** The load generator's own event-loop delay during the phase (a stall here inflates latency). */
  senderDelayP99Ms: number;
  senderDelayMaxMs: number;
  cpuUsPerReq?: number;
  tally: Tally;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

/**
 * Open loop: requests leave on a fixed schedule (rate per second) whatever the server does;
 * latency is from the moment each request is written to the end of its response.
 */
async function openLoop(s: Server, kind: Kind, pool: CallPool, rate: number, seconds: number): Promise<OpenResult> {
  const tally = newTally();
  const lat: number[] = [];
  const total = Math.round(rate * seconds);
  const u = new URL(s.url);
  const loopAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  let sent = 0;
  let failed = 0;
  let maxLag = 0;
  const pending = new Set<Promise<void>>();
  const send = () => {
    const c = pool.take();
    if (!c) {
      failed++;
      return;
    }
    const r = stepRequest(s.url, c);
    sent++;
    const p = new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.request({ agent: loopAgent, host: u.hostname, port: u.port, method: 'POST', path: r.path, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (ch: Buffer) => chunks.push(ch));
        res.on('end', () => {
          const ms = performance.now() - start;
          lat.push(ms);
          if (process.env.BENCH_DEBUG && ms > 10) progress(`  slow ${kind} ${ms.toFixed(1)} ms at +${((start - begin) / 1000).toFixed(3)} s`);
          record(tally, kind, c, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
          pool.give(c);
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(r.body);
    });
    pending.add(p);
    void p.then(() => pending.delete(p));
  };
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  const cpu0 = cpuMs(s.child.pid);
  const begin = performance.now();
  const interval = 1000 / rate;
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      while (i < total && begin + i * interval <= now) {
        maxLag = Math.max(maxLag, now - (begin + i * interval));
        send();
        i++;
      }
      if (i >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(interval, begin + i * interval - performance.now())));
    };
    tick();
  });
  await Promise.race([Promise.all(pending), sleep(15_000)]);
  const cpu1 = cpuMs(s.child.pid);
  eld.disable();
  loopAgent.destroy();
  lat.sort((a, b) => a - b);
  return {
    kind,
    rate,
    seconds,
    sent,
    completed: lat.length,
    failed,
    p50: pct(lat, 50),
    p90: pct(lat, 90),
    p99: pct(lat, 99),
    max: lat[lat.length - 1] ?? NaN,
    maxLagMs: maxLag,
    // The histogram records whole timer intervals; take the 5 ms resolution off to get the stall.
    senderDelayP99Ms: Math.max(0, eld.percentile(99) / 1e6 - 5),
    senderDelayMaxMs: Math.max(0, eld.max / 1e6 - 5),
    cpuUsPerReq: cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) * 1000) / sent : undefined,
    tally,
  };
}

// ---------------------------------------------------------------- CPU profile summary

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const EXPRESS = new Set(
  'express body-parser router qs raw-body iconv-lite type-is media-typer mime-types mime-db content-type on-finished finalhandler statuses http-errors depd bytes parseurl encodeurl escape-html accepts negotiator vary etag fresh send serve-static cookie cookie-signature range-parser proxy-addr forwarded ipaddr.js merge-descriptors content-disposition utils-merge path-to-regexp debug ms unpipe ee-first setprototypeof inherits safe-buffer safer-buffer destroy toidentifier is-promise once wrappy side-channel side-channel-list side-channel-map side-channel-weakmap object-inspect call-bound call-bind-apply-helpers get-intrinsic es-errors gopd has-symbols hasown function-bind math-intrinsics dunder-proto es-object-atoms get-proto es-define-property'.split(
    ' ',
  ),
);
const PINO = new Set('pino sonic-boom fast-redact @pinojs/redact pino-std-serializers thread-stream quick-format-unescaped atomic-sleep on-exit-leak-free safe-stable-stringify real-require process-warning slow-redact'.split(' '));
const GROUP_ORDER = [
  'xstate',
  'store: kysely, better-sqlite3, server/store/',
  'twilio: signature check',
  'twilio: TwiML builder',
  'twilio: other',
  'express / body-parser',
  'HTTP: server/twilio/ (body, signature, reply)',
  'hotline server/ code',
  'pino (logging)',
  'prom-client (metrics)',
  'zod',
  'node core (http, net, timers; no package on the stack)',
  'GC',
  'V8 / native (program)',
];

function packageOf(url: string): string | undefined {
  const i = url.lastIndexOf('/node_modules/');
  if (i < 0) return undefined;
  const rest = url.slice(i + '/node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
}

/** The group a frame belongs to by itself; undefined for node internals and anonymous natives. */
function ownGroup(frame: ProfileNode['callFrame']): string | undefined {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return 'V8 / native (program)';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(root)') return 'V8 / native (program)';
    return undefined;
  }
  if (url.startsWith('node:')) return undefined;
  const pkg = packageOf(url);
  if (pkg) {
    if (pkg === 'xstate' || pkg.startsWith('@xstate/')) return 'xstate';
    if (pkg === 'kysely' || pkg === 'better-sqlite3' || pkg === 'bindings') return 'store: kysely, better-sqlite3, server/store/';
    if (pkg === 'twilio') return url.includes('/lib/webhooks/') ? 'twilio: signature check' : url.includes('/lib/twiml/') ? 'twilio: TwiML builder' : 'twilio: other';
    if (pkg === 'scmp') return 'twilio: signature check';
    if (pkg === 'xmlbuilder') return 'twilio: TwiML builder';
    if (EXPRESS.has(pkg)) return 'express / body-parser';
    if (PINO.has(pkg)) return 'pino (logging)';
    if (pkg === 'prom-client' || pkg === 'tdigest' || pkg === 'bintrees') return 'prom-client (metrics)';
    if (pkg === 'zod') return 'zod';
    return `other package: ${pkg}`;
  }
  if (url.includes('/server/store/')) return 'store: kysely, better-sqlite3, server/store/';
  if (url.includes('/server/twilio/')) return 'HTTP: server/twilio/ (body, signature, reply)';
  if (url.includes('/server/')) return 'hotline server/ code';
  return 'other';
}

const isOurs = (f: ProfileNode['callFrame']) => f.url.startsWith('file://') && f.url.includes('/server/');

const sourceLines = new Map<string, string[]>();

/**
 * tsx hands V8 transformed code (one long line), so profile line numbers are useless for our
 * own files; find the function's definition in the TypeScript source instead.
 */
function sourceLineOf(url: string, fn: string): number | undefined {
  if (!fn || !url.startsWith('file://')) return undefined;
  let lines = sourceLines.get(url);
  if (!lines) {
    try {
      lines = readFileSync(new URL(url), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceLines.set(url, lines);
  }
  const name = fn.replace(/[$.*+?^()[\]{}|\\]/g, '\\$&');
  const def = new RegExp(`^\\s*(?:export\\s+)?(?:(?:private|public|protected|static|readonly)\\s+)*(?:async\\s+)?(?:function\\s*\\*?\\s*)?${name}\\s*(?:<[^>]*>)?\\(|\\b(?:const|let)\\s+${name}\\s*=`);
  const i = lines.findIndex((l) => def.test(l));
  return i >= 0 ? i + 1 : undefined;
}

function frameWhere(f: ProfileNode['callFrame']): string {
  if (!f.url) return '(native)';
  if (f.url.startsWith('file://') && f.url.includes('/server/')) {
    const line = sourceLineOf(f.url, f.functionName);
    return `${shortUrl(f.url)}${line ? `:${line}` : ''}`;
  }
  return `${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const root = url.indexOf(REPO);
  if (root >= 0) return url.slice(root + REPO.length + 1);
  return url || '(native)';
}

interface ProfileSummary {
  windowMs: number;
  busyMs: number;
  idleMs: number;
  windowed: boolean;
  groups: Array<{ group: string; ms: number }>;
  topSelf: Array<{ fn: string; where: string; group: string; ms: number }>;
  serverFiles: Array<{ file: string; selfMs: number }>;
  serverInclusive: Array<{ fn: string; where: string; ms: number }>;
}

function summariseProfile(p: CpuProfile, fromUs?: number, toUs?: number): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) byId.set(n.id, n);
  for (const n of p.nodes) for (const ch of n.children ?? []) parent.set(ch, n.id);
  // Sample i lasts until sample i+1.
  const stamps: number[] = new Array(p.samples.length);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    stamps[i] = t;
  }
  let windowed = fromUs !== undefined && toUs !== undefined && stamps.some((s) => s >= fromUs && s <= toUs);
  const self = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const s = stamps[i]!;
    if (windowed && (s < fromUs! || s > toUs!)) continue;
    const d = i + 1 < stamps.length ? stamps[i + 1]! - s : 0;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + d);
    total += d;
  }
  if (!windowed) windowed = false;

  const effCache = new Map<number, string>();
  const effective = (id: number): string => {
    const hit = effCache.get(id);
    if (hit) return hit;
    const n = byId.get(id)!;
    const own = ownGroup(n.callFrame);
    const par = parent.get(id);
    const g = own ?? (par !== undefined ? effective(par) : 'node core (http, net, timers; no package on the stack)');
    effCache.set(id, g === 'V8 / native (program)' && !own ? 'node core (http, net, timers; no package on the stack)' : g);
    return effCache.get(id)!;
  };

  const groups = new Map<string, number>();
  const fnSelf = new Map<string, { fn: string; where: string; group: string; us: number }>();
  const fileSelf = new Map<string, number>();
  const incl = new Map<string, { fn: string; where: string; us: number }>();
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const g = effective(id);
    if (g === 'idle') {
      idle += us;
      continue;
    }
    groups.set(g, (groups.get(g) ?? 0) + us);
    const where = frameWhere(n.callFrame);
    const key = `${n.callFrame.functionName}|${where}`;
    const e = fnSelf.get(key) ?? { fn: n.callFrame.functionName || '(anonymous)', where, group: g, us: 0 };
    e.us += us;
    fnSelf.set(key, e);
    if (isOurs(n.callFrame)) {
      const f = shortUrl(n.callFrame.url);
      fileSelf.set(f, (fileSelf.get(f) ?? 0) + us);
    }
    // Inclusive time of our own functions: each server/ frame on this sample's stack, once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!isOurs(f)) continue;
      const w = frameWhere(f);
      const k = `${f.functionName}|${w}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const ie = incl.get(k) ?? { fn: f.functionName || '(anonymous)', where: w, us: 0 };
      ie.us += us;
      incl.set(k, ie);
    }
  }
  const busy = total - idle;
  return {
    windowMs: total / 1000,
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    windowed,
    groups: [...groups].map(([group, us]) => ({ group, ms: us / 1000 })).sort((a, b) => b.ms - a.ms),
    topSelf: [...fnSelf.values()].sort((a, b) => b.us - a.us).slice(0, 15).map((e) => ({ fn: e.fn, where: e.where, group: e.group, ms: e.us / 1000 })),
    serverFiles: [...fileSelf].map(([file, us]) => ({ file, selfMs: us / 1000 })).sort((a, b) => b.selfMs - a.selfMs),
    serverInclusive: [...incl.values()].sort((a, b) => b.us - a.us).slice(0, 12).map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000 })),
  };
}

// ---------------------------------------------------------------- report


const f2 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(2));


interface Options {
  calls: number;
  connections: number;
  duration: number;
  warmup: number;
  rate: number;
  latencySeconds: number;
  profileSeconds: number;
  profile: boolean;
  write: boolean;
}

function parseArgs(args: string[]): Options {
  const quick = args.includes('--quick');
  const num = (name: string, dflt: number) => numberArg(args, name, dflt);
  return {
    calls: num('--calls', quick ? 2000 : 5000),
    connections: num('--connections', 200),
    duration: num('--duration', quick ? 3 : 10),
    warmup: quick ? 1 : 3,
    rate: num('--rate', 300),
    latencySeconds: num('--latency-duration', quick ? 3 : 10),
    profileSeconds: quick ? 2 : 5,
    profile: !args.includes('--no-profile'),
    write: !args.includes('--no-write'),
  };
}


interface Profiled {
  summary: ProfileSummary;
  requests: number;
}

/** Run one server again under `node --cpu-prof`, load it, and summarise the load window only. */
async function profileRun(kind: Kind, o: Options, root: string, servers: Server[]): Promise<Profiled | undefined> {
  progress(`profile: ${kind} again under node --cpu-prof, ${o.profileSeconds} s closed loop at ${o.connections} connections`);
  const profDir = path.join(root, `profile-${kind}`);
  const dataDir = path.join(root, `${kind}-prof`);
  mkdirSync(profDir);
  mkdirSync(dataDir);
  const flags = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
  const srv = kind === 'hotline' ? await startHotline(dataDir, flags) : await startBare(dataDir, flags);
  servers.push(srv);
  const n = Math.max(o.connections * 5, 1000);
  const pool = new CallPool(kind === 'hotline' ? await dialCalls(srv, n) : Array.from({ length: n }, (_, i) => newCall(i)));
  await closedLoop(srv, kind, pool, Math.min(2, o.warmup), o.connections);
  const from = Number(process.hrtime.bigint() / 1000n);
  const r = await closedLoop(srv, kind, pool, o.profileSeconds, o.connections);
  const to = Number(process.hrtime.bigint() / 1000n);
  await stopServer(srv);
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const file = files.find((f) => f.includes(`.${srv.child.pid}.0.`)) ?? files[0];
  if (!file) {
    progress('  no .cpuprofile was written');
    return undefined;
  }
  const summary = summariseProfile(JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile, from, to);
  if (process.env.BENCH_KEEP) progress(`  profile kept at ${path.join(profDir, file)}`);
  progress(`  ${f0(summary.busyMs)} ms busy of ${f0(summary.windowMs)} ms sampled (${summary.windowed ? 'load window only' : 'whole run: could not align the window'}), ${f0(r.sent)} requests`);
  return { summary, requests: r.sent };
}

// ---------------------------------------------------------------- main

export async function main(args: string[]): Promise<number> {
  if (args.includes('--serve-bare')) {
    await serveBare(args.includes('--plain'));
    return 0;
  }
  const o = parseArgs(args);
  const m = machine();
  twilioMod = (await import('twilio')).default;
  autocannonFn = (await import('autocannon')).default;
  readTwimlFn = (await import('../server/cli/phone.ts')).readTwiml;

  progress(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, node ${m.node}`);
  if (m.cores < 4) progress(`note: ${m.cores} cores; the load generator and the server share them`);
  const root = mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-'));
  const servers: Server[] = [];
  const cleanup = async () => {
    for (const s of servers) await stopServer(s).catch(() => undefined);
    agent.destroy();
    if (!process.env.BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  };
  try {
    progress('starting servers: hotline (bin/hotline.mjs serve, fresh SQLite) and bare Express, each in its own process');
    const hotDir = path.join(root, 'hotline');
    const bareDir = path.join(root, 'bare');
    const nodeDir = path.join(root, 'node');
    for (const d of [hotDir, bareDir, nodeDir]) mkdirSync(d);
    const [hot, bare, plain] = await Promise.all([startHotline(hotDir), startBare(bareDir), startBare(nodeDir, [], true)]);
    servers.push(hot, bare, plain);
    progress(`  hotline pid ${hot.child.pid} at ${hot.url}; bare Express pid ${bare.child.pid} at ${bare.url}; bare node:http pid ${plain.child.pid} at ${plain.url}`);

    progress(`dialling ${o.calls} calls into the hotline (each waits in the greeting)`);
    const dialStart = performance.now();
    const calls = await dialCalls(hot, o.calls);
    progress(`  ${calls.length} calls up in ${((performance.now() - dialStart) / 1000).toFixed(1)} s`);
    const hotPool = new CallPool(calls);
    const barePool = new CallPool(Array.from({ length: o.calls }, (_, i) => newCall(i)));
    const nodePool = new CallPool(Array.from({ length: o.calls }, (_, i) => newCall(i)));

    const targets = [
      { s: bare, kind: 'bare' as const, pool: barePool },
      { s: plain, kind: 'node' as const, pool: nodePool },
      { s: hot, kind: 'hotline' as const, pool: hotPool },
    ];
    const closed: Record<string, ClosedResult> = {};
    for (const t of targets) {
      progress(`${t.kind}: warm-up ${o.warmup} s at ${o.connections} connections`);
      await closedLoop(t.s, t.kind, t.pool, o.warmup, o.connections);
      progress(`${t.kind}: throughput, closed loop, ${o.connections} connections, ${o.duration} s`);
      const r = await closedLoop(t.s, t.kind, t.pool, o.duration, o.connections);
      closed[t.kind] = r;
      progress(`  ${f0(r.rps)} req/s, ${f0(r.cpuUsPerReq)} µs CPU/request, p99 ${r.latency.p99} ms, non-2xx ${r.tally.non2xx}, not advanced ${r.tally.notAdvanced}`);
    }
    const open: Record<string, OpenResult> = {};
    for (const t of targets) {
      progress(`${t.kind}: latency, open loop at ${o.rate} req/s, ${o.latencySeconds} s`);
      const r = await openLoop(t.s, t.kind, t.pool, o.rate, o.latencySeconds);
      open[t.kind] = r;
      progress(`  p50 ${f2(r.p50)} ms, p99 ${f2(r.p99)} ms, max ${f1(r.max)} ms, ${r.completed}/${r.sent} answered, sender lag max ${f1(r.maxLagMs)} ms, sender event-loop stall p99 ${f1(r.senderDelayP99Ms)} / max ${f1(r.senderDelayMaxMs)} ms, server CPU ${f0(r.cpuUsPerReq)} µs/req`);
    }
    const hotRss = rssMb(hot.child.pid);
    const bareRss = rssMb(bare.child.pid);
    const nodeRss = rssMb(plain.child.pid);

    progress('stopping servers; checking the hotline store against what the load generator saw');
    await stopServer(hot);
    await stopServer(bare);
    await stopServer(plain);
    const serverLog = readFileSync(hot.logFile, 'utf8').split('\n').filter(Boolean);
    const warnLines = serverLog.filter((l) => /"level":(40|50|60)/.test(l));
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(hotDir, 'hotline.sqlite'), { readonly: true });
    const stored = db.prepare(`select count(*) as calls, sum(step - 1) as steps, max(step - 1) as maxSteps, sum(length(path) + length(inputs) + length(snapshot)) as bytes from calls where status = 'active'`).get() as { calls: number; steps: number; maxSteps: number; bytes: number };
    db.close();
    const allHot = [closed.hotline!, open.hotline!];
    const seenAdvanced = allHot.reduce((a, r) => a + r.tally.advanced, 0);
    // Warm-up steps are not in the tallies above; count them from the store side instead.
    progress(`  store: ${stored.calls} calls, ${stored.steps} steps applied (max ${stored.maxSteps} on one call); ${warnLines.length} warn/error log lines`);

    let prof: Profiled | undefined;
    let bareProf: Profiled | undefined;
    if (o.profile) {
      bareProf = await profileRun('bare', o, root, servers);
      prof = await profileRun('hotline', o, root, servers);
    }

    // ------------------------------------------------------------ tables
    const b = closed.bare!;
    const h = closed.hotline!;
    const ob = open.bare!;
    const oh = open.hotline!;
    const n = closed.node!;
    const on = open.node!;
    const ratio = (x: number | undefined, y: number | undefined) => (x !== undefined && y ? `${f2(x / y)}×` : 'n/a');
    const cpuRatio = h.cpuUsPerReq !== undefined && b.cpuUsPerReq ? h.cpuUsPerReq / b.cpuUsPerReq : undefined;
    const openCpuRatio = oh.cpuUsPerReq !== undefined && ob.cpuUsPerReq ? oh.cpuUsPerReq / ob.cpuUsPerReq : undefined;
    const tputRatio = h.rps / b.rps;
    const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? '**PASS**' : '**MISS**');
    const hotNon2xx = h.tally.non2xx + oh.tally.non2xx;
    const hotBad = h.tally.notAdvanced + oh.tally.notAdvanced + h.tally.sampleInvalid + oh.tally.sampleInvalid + oh.failed + (h.errors - h.timeouts);
    const goals = {
      cpu: cpuRatio !== undefined ? cpuRatio <= GOALS.cpuRatio : undefined,
      tput: tputRatio >= GOALS.throughputRatio,
      p99: oh.p99 < GOALS.p99Ms,
      clean: hotNon2xx === 0 && hotBad === 0,
    };

    const results = table(
      ['', 'bare Express (fixed TwiML)', 'bare node:http (fixed TwiML)', 'hotline full step', 'hotline / bare Express', 'goal', '', 'hotline / bare node:http'],
      [
        [`Throughput, closed loop, ${o.connections} connections, ${o.duration} s`, `${f0(b.rps)} req/s`, `${f0(n.rps)} req/s`, `${f0(h.rps)} req/s`, `${f2(tputRatio)}×`, `≥ ${GOALS.throughputRatio}×`, verdict(goals.tput), ratio(h.rps, n.rps)],
        ['Server CPU per request (throughput phase)', `${f0(b.cpuUsPerReq)} µs`, `${f0(n.cpuUsPerReq)} µs`, `${f0(h.cpuUsPerReq)} µs`, `${f2(cpuRatio)}×`, `≤ ${GOALS.cpuRatio}×`, verdict(goals.cpu), ratio(h.cpuUsPerReq, n.cpuUsPerReq)],
        [`Server CPU per request (at ${o.rate} req/s)`, `${f0(ob.cpuUsPerReq)} µs`, `${f0(on.cpuUsPerReq)} µs`, `${f0(oh.cpuUsPerReq)} µs`, `${f2(openCpuRatio)}×`, '', '', ratio(oh.cpuUsPerReq, on.cpuUsPerReq)],
        [`Latency p50 at ${o.rate} req/s, open loop, ${o.latencySeconds} s`, `${f2(ob.p50)} ms`, `${f2(on.p50)} ms`, `${f2(oh.p50)} ms`, `${f2(oh.p50 / ob.p50)}×`, '', '', ratio(oh.p50, on.p50)],
        [`Latency p99 at ${o.rate} req/s`, `${f2(ob.p99)} ms`, `${f2(on.p99)} ms`, `${f2(oh.p99)} ms`, `${f2(oh.p99 / ob.p99)}×`, `< ${GOALS.p99Ms} ms`, verdict(goals.p99), ratio(oh.p99, on.p99)],
        [`Latency max at ${o.rate} req/s`, `${f1(ob.max)} ms`, `${f1(on.max)} ms`, `${f1(oh.max)} ms`, '', '', '', ''],
        [`Latency p50 / p99 under the ${o.connections}-connection load`, `${b.latency.p50} / ${b.latency.p99} ms`, `${n.latency.p50} / ${n.latency.p99} ms`, `${h.latency.p50} / ${h.latency.p99} ms`, '', '', '', ''],
        ['Non-2xx responses (all phases)', f0(b.tally.non2xx + ob.tally.non2xx), f0(n.tally.non2xx + on.tally.non2xx), f0(hotNon2xx), '', '0', verdict(hotNon2xx === 0), ''],
        [
          'Steps not advanced exactly once, invalid TwiML samples, connection errors',
          f0(b.tally.sampleInvalid + ob.tally.sampleInvalid + ob.failed + (b.errors - b.timeouts)),
          f0(n.tally.sampleInvalid + on.tally.sampleInvalid + on.failed + (n.errors - n.timeouts)),
          f0(hotBad),
          '',
          '0',
          verdict(hotBad === 0),
          '',
        ],
        [`Requests unanswered after 10 s under the ${o.connections}-connection load (autocannon timeouts)`, f0(b.timeouts), f0(n.timeouts), f0(h.timeouts), '', '', '', ''],
        ['Server RSS at the end', `${f0(bareRss)} MB`, `${f0(nodeRss)} MB`, `${f0(hotRss)} MB`, '', '', '', ''],
      ],
    );
    const checks = [
      `- Requests measured: ${f0(b.sent + ob.sent)} bare, ${f0(h.sent + oh.sent)} hotline steps (plus warm-up); TwiML samples parsed: ${b.tally.sampled + ob.tally.sampled} bare, ${h.tally.sampled + oh.tally.sampled} hotline, ${b.tally.sampleInvalid + ob.tally.sampleInvalid + h.tally.sampleInvalid + oh.tally.sampleInvalid} invalid.`,
      `- Every hotline response was checked for the next step token (step N answered with a Gather whose action is step N+1): ${f0(seenAdvanced)} advanced, ${f0(h.tally.notAdvanced + oh.tally.notAdvanced)} did not.`,
      `- Store after the run: ${f0(stored.calls)} calls, ${f0(stored.steps)} steps applied in total (at most ${stored.maxSteps} on one call), ${warnLines.length} warn/error log lines from the server.`,
      `- Open-loop sender: ${oh.sent} hotline requests scheduled at ${o.rate}/s, ${oh.completed} answered; the sender fell behind its schedule by at most ${f1(Math.max(ob.maxLagMs, oh.maxLagMs))} ms and its own event loop stalled at most ${f1(Math.max(ob.senderDelayMaxMs, oh.senderDelayMaxMs))} ms (a stall there would inflate the measured latency).`,
    ];
    if (h.timeouts || b.timeouts)
      checks.push(
        `- Timeouts under the ${o.connections}-connection load are connections, not lost steps: the server accepts one new connection per event-loop turn (libuv), and a turn of the saturated hotline serves every ready request first (hundreds of ms), so some of the ${o.connections} fresh connections sit in the accept queue (\`ss -ltn\` Recv-Q) until autocannon gives up; their steps are applied when the server gets to them.`,
      );
    for (const r of [b, n, h, ob, on, oh]) for (const e of r.tally.examples) checks.push(`- example problem (${r.kind}): \`${e.replace(/`/g, "'").replace(/\s+/g, ' ')}\``);

    let profileMd = '';
    if (prof) {
      const hp = prof.summary;
      const bp = bareProf?.summary;
      const us = (ms: number | undefined, n: number) => (ms === undefined || !n ? 'n/a' : `${f0((ms * 1000) / n)} µs`);
      const order = (g: string) => {
        const i = GROUP_ORDER.indexOf(g);
        return i < 0 ? GROUP_ORDER.length : i;
      };
      const names = [...new Set([...hp.groups.map((g) => g.group), ...(bp?.groups.map((g) => g.group) ?? [])])];
      const hMs = new Map(hp.groups.map((g) => [g.group, g.ms]));
      const bMs = new Map(bp?.groups.map((g) => [g.group, g.ms]) ?? []);
      names.sort((x, y) => (hMs.get(y) ?? 0) - (hMs.get(x) ?? 0) || order(x) - order(y));
      const share = (ms: number) => `${((ms / hp.busyMs) * 100).toFixed(1)}%`;
      profileMd = [
        `Both servers were run again under \`node --cpu-prof\` for ${o.profileSeconds} s of closed-loop load at ${o.connections} connections (start-up, dialling and warm-up cut out of the samples${hp.windowed ? '' : ' — could not align the window; whole run shown'}): hotline ${f0(prof.requests)} steps, ${f0(hp.busyMs)} ms main-thread CPU; bare ${bareProf ? `${f0(bareProf.requests)} requests, ${f0(bp!.busyMs)} ms` : 'n/a'}. ` +
          'Self time is grouped by package; time in Node internals and native code is charged to the nearest package on the stack (the HMAC of the signature check counts as twilio, SQLite as the store, the socket write as express). The profiler adds some overhead, so per-request figures are a little above the unprofiled CPU per request.',
        '',
        table(
          ['Where the time goes (main thread)', 'hotline per step', 'share', 'bare per request', 'extra per step'],
          [
            ...names.map((g) => {
              const hm = hMs.get(g) ?? 0;
              const bm = bMs.get(g) ?? 0;
              return [g, us(hm, prof.requests), share(hm), bareProf ? us(bm, bareProf.requests) : 'n/a', bareProf ? us(hm / prof.requests - bm / bareProf.requests, 1) : 'n/a'];
            }),
            ['**total**', `**${us(hp.busyMs, prof.requests)}**`, '100%', bareProf ? `**${us(bp!.busyMs, bareProf.requests)}**` : 'n/a', bareProf ? us(hp.busyMs / prof.requests - bp!.busyMs / bareProf.requests, 1) : 'n/a'],
          ],
        ),
        '',
        'Hotline, top self-time functions:',
        '',
        table(
          ['Function', 'Where', 'Group', 'per step', 'share'],
          hp.topSelf.map((e) => [`\`${e.fn}\``, `\`${e.where}\``, e.group, us(e.ms, prof.requests), share(e.ms)]),
        ),
        '',
        'Hotline, our `server/` functions by inclusive time (synchronous stacks only: work after an `await` is charged to the continuation, so an async function shows only its part before the first `await` plus the continuations that run in it):',
        '',
        table(
          ['Function', 'Where', 'per step', 'share'],
          hp.serverInclusive.map((e) => [`\`${e.fn}\``, `\`${e.where}\``, us(e.ms, prof.requests), share(e.ms)]),
        ),
        '',
        `Hotline self time in \`server/\` by file: ${hp.serverFiles.map((f) => `\`${f.file}\` ${us(f.selfMs, prof.requests)}`).join(', ')}.`,
      ].join('\n');
    }

    const md = [
      '## webhook',
      '',
      `\`npm run bench -- webhook\` — last run ${m.date}.`,
      '',
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}.${m.cores < 4 ? ` With ${m.cores} cores the load generator (autocannon, signing every request) and the server share the CPU, so the closed-loop throughput of both servers is partly bounded by the load generator; CPU per request is read from the server process alone and is the steadier comparison.` : ''}`,
      '',
      'What runs: the real hotline (`node bin/hotline.mjs serve`, fresh temp `HOTLINE_DATA_DIR`, SQLite, `TWILIO_AUTH_TOKEN` and `PUBLIC_URL` set) and two baselines in the same kind of process (tsx) answering a fixed `VoiceResponse` string: a bare Express app behind `express.urlencoded` (the baseline the goal names) and a bare `node:http` handler that parses the form with `URLSearchParams` (the hotline serves Twilio webhooks from `node:http` directly, see `server/twilio/webhook.ts`, so this is the floor its steps stand on); each runs in its own child process and the load comes from the bench process. ' +
        `${f0(o.calls)} calls are dialled first; each request is the next step of one of them: a signed Gather answer (\`POST /twilio/voice?step=N\`, the ~28 parameters Twilio sends, Digits=9), which in the shipped \`main\` flow toggles the language and stays in the greeting, so calls can be stepped indefinitely. ` +
        'A full step is: signature check, load the call, restore the XState snapshot and transition, render TwiML, save with the step compare-and-set. No call ever has two requests in flight. The bare servers get the identical requests.',
      '',
      `Server CPU per request = the server process's utime+stime (\`/proc/<pid>/stat\`, all threads) over the phase, divided by the requests sent. Latency at ${o.rate} req/s comes from an open-loop sender (requests leave on schedule whatever the server does) and is measured from writing the request to the end of the response.`,
      '',
      results,
      '',
      ...checks,
      '',
      ...(profileMd ? ['### Where a step\'s time goes', '', profileMd, ''] : []),
    ].join('\n');

    process.stdout.write('\n' + md + '\n');
    if (o.write) {
      writeSection(DOC, '## webhook', md);
      progress(`wrote ${path.relative(REPO, DOC)} (## webhook)`);
    }
    progress(`goals: CPU/request ${verdict(goals.cpu)}, throughput ${verdict(goals.tput)}, p99 ${verdict(goals.p99)}, clean ${verdict(goals.clean)}`.replace(/\*\*/g, ''));
    // A missed goal is a finding, not a failed run; broken responses are.
    return goals.clean ? 0 : 2;
  } finally {
    await cleanup();
  }
}
