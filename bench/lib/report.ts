import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What machine a benchmark ran on, for docs/benchmarks.md. */
export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

export const f0 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));
export const f1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(1));

/** A Markdown table, first column left-aligned, the figures right-aligned. */
export function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Replace one `## heading` section of a Markdown document (or append it), keeping the rest. */
export function replaceSection(doc: string, heading: string, body: string): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return `${doc.trimEnd()}\n\n${body.trimEnd()}\n`;
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end < 0) end = lines.length;
  return [...lines.slice(0, start), ...body.trimEnd().split('\n'), ...(end < lines.length ? ['', ...lines.slice(end)] : [])].join('\n').trimEnd() + '\n';
}

/** Rewrite one bench's section of docs/benchmarks.md, creating the file if needed. */
export function writeSection(doc: string, heading: string, md: string): void {
  mkdirSync(path.dirname(doc), { recursive: true });
  const existing = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n\nRun one with `npm run bench -- <name>`; `npm run bench` alone lists them. Each section is rewritten by its bench.\n';
  writeFileSync(doc, replaceSection(existing, heading, md));
}

/** `--name N` from a bench's arguments: a positive number, or the default when absent. */
export function numberArg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`);
  return v;
}
