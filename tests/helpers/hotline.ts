import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../server/config.ts';
import { createHotline, type Hotline, type HotlineOptions } from '../../server/main.ts';
import { TwilioPhone, type PhoneOptions } from '../../server/cli/phone.ts';
import { freshPostgres, testStore } from './postgres.ts';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SHIPPED_FLOWS = path.join(REPO, 'flows');

export interface TestHotline {
  hotline: Hotline;
  config: Config;
  /** Where to send requests; also the PUBLIC_URL signatures are checked against. */
  url: string;
  dataDir: string;
  /** Every log line the server wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
  phone(opts?: Partial<PhoneOptions>): TwilioPhone;
  close(): Promise<void>;
}

/**
 * A real server on a real port with a real store — a SQLite file in a temp dir, or (in the
 * `postgres` test project) a fresh schema in the test PostgreSQL — configured through the
 * same environment variables `npm start` reads.
 */
export async function startHotline(env: Record<string, string> = {}, opts: HotlineOptions & { flowsDir?: string } = {}): Promise<TestHotline> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hotline-test-'));
  let flowsDir = opts.flowsDir;
  if (!flowsDir) {
    flowsDir = path.join(dataDir, 'flows');
    cpSync(SHIPPED_FLOWS, flowsDir, { recursive: true });
  }
  // Port 0 first to learn a free port, so PUBLIC_URL can name it exactly.
  const probe = await import('node:net').then((net) => new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  }));
  const postgres = testStore() === 'postgres' && env.DATABASE_URL === undefined ? await freshPostgres() : undefined;
  const config = loadConfig({
    PORT: String(probe),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${probe}`,
    HOTLINE_DATA_DIR: dataDir,
    HOTLINE_FLOWS_DIR: flowsDir,
    TWILIO_AUTH_TOKEN: 'test-auth-token-0123456789abcdef',
    TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32),
    HOTLINE_OPS_TOKEN: 'test-ops-token-0123456789',
    LOG_LEVEL: 'info',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...env,
  });
  const rawLogs: string[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        rawLogs.push(line);
        try {
          logs.push(JSON.parse(line));
        } catch {
          /* not JSON */
        }
      }
      cb();
    },
  });
  let hotline: Hotline;
  try {
    hotline = await createHotline(config, { logDestination: sink, ...opts });
  } catch (err) {
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  await hotline.listen();
  const url = config.publicUrl;
  return {
    hotline,
    config,
    url,
    dataDir,
    logs,
    rawLogs,
    phone: (o = {}) => new TwilioPhone({ baseUrl: url, authToken: config.authToken, accountSid: config.accountSid, ...o }),
    async close() {
      await hotline.close();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
