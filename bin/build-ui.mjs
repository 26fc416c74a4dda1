#!/usr/bin/env node
// Builds the agent panel (agent-ui → agent-ui/dist) with Vite. Run by `npm install` (prepare)
// and `npm run build:ui`. Without --force it does nothing when the build is newer than every
// source file, so installs stay quick.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ui = path.join(root, 'agent-ui');
const built = path.join(ui, 'dist', 'index.html');
const force = process.argv.includes('--force');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// The panel also imports the shared protocol, the event names and the report's JSON shape from ../server.
const shared = [
  ['server', 'assist', 'protocol.ts'],
  ['server', 'events.ts'],
  ['server', 'reports', 'types.ts'],
];
const sources = Math.max(newest(ui), ...shared.map((p) => statSync(path.join(root, ...p)).mtimeMs));
if (!force && existsSync(built) && statSync(built).mtimeMs >= sources) {
  process.stdout.write('agent panel: up to date (agent-ui/dist)\n');
  process.exit(0);
}
let vite;
try {
  vite = await import('vite');
} catch {
  // A production install without dev dependencies: the panel is built elsewhere (HOTLINE_UI_DIR).
  process.stderr.write('agent panel: vite is not installed (npm install --omit=dev?); build it with `npm install && npm run build:ui`, or point HOTLINE_UI_DIR at a built panel\n');
  process.exit(force ? 1 : 0);
}
process.stdout.write('agent panel: building agent-ui → agent-ui/dist …\n');
await vite.build({ root: ui, configFile: path.join(ui, 'vite.config.ts'), logLevel: 'warn' });
process.stdout.write('agent panel: built\n');
