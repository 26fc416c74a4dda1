import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the event loop. A checkpoint copies the WAL back into the
 * database file and fsyncs it; run inside a commit (SQLite's default, every 1000 pages) it
 * stalls whichever webhook happened to commit then. The serving connection turns automatic
 * checkpoints off and a worker thread with its own connection checkpoints every `everyMs`
 * (PASSIVE: it never blocks a writer). Nothing is less durable: committed transactions are in
 * the WAL either way.
 */
export function startCheckpointer(file: string, everyMs = 1000): { stop(): Promise<void> } {
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, everyMs, module: createRequire(import.meta.url).resolve('better-sqlite3') },
  });
  worker.unref();
  worker.on('error', () => undefined); // a failed checkpoint is retried by SQLite on close
  return {
    async stop() {
      await worker.terminate();
    },
  };
}

// Plain CommonJS: an eval worker runs outside the TypeScript loader.
const WORKER = `
const { workerData } = require('node:worker_threads');
const SQLite = require(workerData.module);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: next time */ }
}, workerData.everyMs);
`;
