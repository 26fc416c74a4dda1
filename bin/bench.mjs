#!/usr/bin/env node
// `npm run bench -- <name> [args]`: runs bench/<name>.ts directly (tsx), like bin/hotline.mjs.
// Each bench module exports `main(args)`; a number it returns becomes the exit code.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bench');

function available() {
  try {
    return readdirSync(benchDir)
      .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.d.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

const [name, ...args] = process.argv.slice(2);
const names = available();
if (!name || !names.includes(name)) {
  const list = names.length ? names.map((n) => `  ${n}`).join('\n') : '  (none found in bench/)';
  process.stderr.write(`${name ? `Unknown bench "${name}".` : 'Which bench?'} Usage: npm run bench -- <name>\nAvailable benches:\n${list}\n`);
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const mod = await import(pathToFileURL(path.join(benchDir, `${name}.ts`)).href);
if (typeof mod.main !== 'function') {
  process.stderr.write(`bench/${name}.ts does not export main(args)\n`);
  process.exit(1);
}
const code = await mod.main(args);
if (typeof code === 'number') process.exitCode = code;
