import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScript, runScript } from '../../server/cli/script.ts';
import { SHIPPED_FLOWS, startHotline, type TestHotline } from '../helpers/hotline.ts';

const callsDir = path.join(SHIPPED_FLOWS, 'calls');
const scripts = readdirSync(callsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('scripted calls next to the flows, over real HTTP with real signatures', () => {
  let t: TestHotline;
  beforeAll(async () => {
    t = await startHotline();
  });
  afterAll(async () => t.close());

  it('finds scripts for the shipped voice flow', () => {
    expect(scripts.filter((s) => s.startsWith('main')).length).toBeGreaterThanOrEqual(5);
  });

  for (const file of scripts) {
    it(file, async () => {
      const script = parseScript(readFileSync(path.join(callsDir, file), 'utf8'));
      const result = await runScript(script, { baseUrl: t.url, authToken: t.config.authToken });
      expect(result.failure, JSON.stringify(result.transcript, null, 1)).toBeUndefined();
    });
  }
});
