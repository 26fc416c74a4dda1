import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, startHotline } from '../helpers/hotline.ts';

describe('case deadline configuration at start-up', () => {
  it('warns in the log, at start-up, when deadlines reach a year the working-day calendar does not cover', async () => {
    const t = await startHotline({}, { now: () => new Date('2026-12-28T02:00:00Z') });
    try {
      expect(t.hotline.calendarWarnings.join('\n')).toMatch(/reach 2027/);
      const line = t.logs.find((l) => String(l.msg).startsWith('working-day calendar:'));
      expect(line?.level).toBe(40);
      // The policy is live: a consultation received now is due by the calendar.
      expect(t.hotline.deadlines.deadline('咨询', 'normal', 'reply', new Date('2026-09-30T02:00:00Z')).at.toISOString()).toBe('2026-10-09T16:00:00.000Z');
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a broken deadline policy, naming file and line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotline-cases-'));
    cpSync(path.join(REPO, 'cases'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'deadlines.yaml'), 'warn_at: 1.5\nnormal: {}\nurgent: {}\n');
    await expect(startHotline({ HOTLINE_CASES_DIR: dir })).rejects.toThrow(new RegExp(`deadlines\\.yaml:1: warn_at`));
  });
});
