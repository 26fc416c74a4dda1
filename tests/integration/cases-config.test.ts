import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, startHotline } from '../helpers/hotline.ts';
import type { CaseDeadlineEvent } from '../../server/cases/scheduler.ts';

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

  it('the running server scans deadlines on its own: a late case is reported and escalated once, also after a restart', async () => {
    const t = await startHotline({ HOTLINE_DEADLINE_SCAN_SECONDS: '1' });
    let dataDir = t.dataDir;
    const databaseUrl = t.config.databaseUrl;
    const seen: CaseDeadlineEvent[] = [];
    t.hotline.scheduler.on((e) => seen.push(e));
    const c = await t.hotline.cases.create({ type: '求助', category: '城市管理/路灯', urgency: 'normal', callerPhone: '+8613800138000', description: '路灯不亮', channel: 'voice', by: 'agent' });
    await t.hotline.cases.act(c.id, { type: 'DISPATCH', department: 'CITY', by: 'agent' });
    // Time passes: the accept deadline is now an hour ago.
    const past = new Date(Date.now() - 3600_000).toISOString();
    await t.hotline.store.db.updateTable('cases').set({ due_at: past, warn_at: past, next_check_at: past }).where('id', '=', c.id).execute();
    const deadline = Date.now() + 5000;
    while (seen.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500)); // at least one more scan
    // Past both the warning point and the deadline: the overdue miss is what counts.
    expect(seen.map((e) => `${e.kind}:${e.step}:${e.escalated}`)).toEqual(['overdue:accept:true']);
    expect(t.logs.filter((l) => l.msg === 'case overdue' && l.caseId === c.id)).toHaveLength(1);
    dataDir = t.dataDir;
    await t.hotline.close();

    // A restarted server on the same store finds nothing new to report.
    const again = await startHotline({ HOTLINE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', HOTLINE_DEADLINE_SCAN_SECONDS: '1' });
    try {
      const after: CaseDeadlineEvent[] = [];
      again.hotline.scheduler.on((e) => after.push(e));
      await new Promise((r) => setTimeout(r, 2500));
      expect(after).toEqual([]);
      expect((await again.hotline.cases.history(c.id)).filter((e) => e.type === 'SUPERVISE')).toHaveLength(1);
    } finally {
      await again.close();
      await t.close().catch(() => undefined);
    }
  });
});
