import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { IllegalMove } from '../../server/cases/lifecycle.ts';
import { isCaseNumber } from '../../server/cases/number.ts';
import { CaseChanged, Cases, type NewCase } from '../../server/cases/service.ts';
import type { Store } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshStore, testStore } from '../helpers/postgres.ts';

const cn = (local: string) => new Date(`${local}+08:00`);
const endOf = (date: string) => new Date(new Date(`${date}T00:00:00+08:00`).getTime() + 86_400_000).toISOString();

describe(`cases on the ${testStore()} store`, () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let clock = cn('2026-09-21T09:00:00');
  const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), new WorkCalendar());
  const rules = { returnWindowHours: 24, maxExtensions: 1 };
  let cases: Cases;

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore());
    cases = new Cases(store.db, policy, rules, () => clock);
  });
  afterAll(async () => cleanup());

  const complaint: NewCase = { type: '投诉', category: '市场监管/消费维权', urgency: 'normal', callerPhone: '+8613800138000', description: '商家拒绝退款', channel: 'voice', by: 'agent-li' };
  const at = (local: string) => {
    clock = cn(local);
    return clock.toISOString();
  };

  it('walks a complaint: dispatched, returned with a reason, re-dispatched, accepted, late, escalated once, extended, replied, closed', async () => {
    const c = await cases.create(complaint);
    expect(isCaseNumber(c.id)).toBe(true);
    expect(c).toMatchObject({ state: 'received', version: 1, due_step: 'dispatch', due_at: endOf('2026-09-22') });

    await cases.act(c.id, { type: 'DISPATCH', department: 'HRSS', by: 'agent-li', at: at('2026-09-21T10:00:00') });
    const returned = await cases.act(c.id, { type: 'RETURN', reason: '不属于本单位职责', by: 'hrss-wang', at: at('2026-09-21T15:00:00') });
    expect(returned).toMatchObject({ state: 'returned', due_step: 'dispatch' });
    await cases.act(c.id, { type: 'REDISPATCH', department: 'MARKET', by: 'agent-li', at: at('2026-09-22T09:00:00') });
    const accepted = await cases.act(c.id, { type: 'ACCEPT', by: 'market-zhao', at: at('2026-09-22T11:00:00') });
    // 15 working days from 22 September, across Mid-Autumn and National Day (10 October is worked).
    expect(accepted).toMatchObject({ state: 'accepted', department: 'MARKET', due_step: 'reply', due_at: endOf('2026-10-20') });

    at('2026-10-19T12:00:00');
    expect(await cases.scanDeadlines()).toEqual([{ caseId: c.id, step: 'reply', kind: 'warning', dueAt: endOf('2026-10-20'), escalated: false }]);
    expect(await cases.scanDeadlines()).toEqual([]);

    at('2026-10-21T09:00:00');
    const otherProcess = new Cases(store.db, policy, rules, () => clock);
    const [first, second] = await Promise.all([cases.scanDeadlines(), otherProcess.scanDeadlines()]);
    expect([...first, ...second]).toEqual([{ caseId: c.id, step: 'reply', kind: 'overdue', dueAt: endOf('2026-10-20'), escalated: true }]);
    expect(await cases.scanDeadlines()).toEqual([]);
    const late = (await cases.get(c.id))!;
    expect(late.state).toBe('accepted');
    expect(JSON.parse(late.snapshot).context.supervisions).toBe(1);

    await cases.act(c.id, { type: 'REQUEST_EXTENSION', reason: '需现场核查', workingDays: 5, by: 'market-zhao', at: at('2026-10-21T10:00:00') });
    const extended = await cases.act(c.id, { type: 'APPROVE_EXTENSION', by: 'supervisor-chen', at: at('2026-10-21T11:00:00') });
    expect(extended.due_at).toBe(endOf('2026-10-27'));
    // The extended deadline is a new deadline: it is not overdue, and will be reported once when it is.
    expect(await cases.scanDeadlines()).toEqual([]);

    await cases.act(c.id, { type: 'REPLY', by: 'market-zhao', at: at('2026-10-23T16:00:00') });
    await cases.act(c.id, { type: 'CALLBACK', satisfied: true, by: 'agent-li', at: at('2026-10-26T10:00:00') });
    const closed = await cases.act(c.id, { type: 'CLOSE', by: 'agent-li', at: at('2026-10-26T10:05:00') });
    expect(closed).toMatchObject({ state: 'closed', due_at: null, due_step: null });

    // An illegal move is refused and writes nothing.
    await expect(cases.act(c.id, { type: 'REPLY', by: 'market-zhao' })).rejects.toThrow(IllegalMove);
    expect((await cases.get(c.id))!.version).toBe(closed.version);

    const history = await cases.history(c.id);
    expect(history.map((e) => e.type)).toEqual(['CREATE', 'DISPATCH', 'RETURN', 'REDISPATCH', 'ACCEPT', 'SUPERVISE', 'REQUEST_EXTENSION', 'APPROVE_EXTENSION', 'REPLY', 'CALLBACK', 'CLOSE']);
    expect(history[2]).toMatchObject({ by: 'hrss-wang', reason: '不属于本单位职责' });
    const rebuilt = await cases.rebuild(c.id);
    expect(rebuilt.value).toBe('closed');
    expect(rebuilt.context).toEqual(JSON.parse(closed.snapshot).context);
  });

  it('refuses a move made on a stale version', async () => {
    const c = await cases.create(complaint);
    await cases.act(c.id, { type: 'DISPATCH', department: 'A', by: 'x' }, 1);
    await expect(cases.act(c.id, { type: 'ACCEPT', by: 'y' }, 1)).rejects.toThrow(CaseChanged);
  });

  it('numbers the cases of a day in sequence, also when they are created at once', async () => {
    at('2026-11-02T09:00:00');
    const made = await Promise.all(Array.from({ length: 12 }, () => cases.create(complaint)));
    const ids = made.map((c) => c.id);
    expect(new Set(ids).size).toBe(12);
    expect(ids.every(isCaseNumber)).toBe(true);
    expect(ids.map((id) => Number(id.slice(6, 10))).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('finds likely repeats — the same caller, or the same place and category, within 7 days — and merges one into its master', async () => {
    at('2026-11-09T09:00:00');
    const lamp: NewCase = { type: '求助', category: '城市管理/路灯', urgency: 'normal', callerPhone: '+8613900000001', district: '东城区', address: '和平路12号', description: '路灯不亮', channel: 'voice', by: 'agent' };
    const master = await cases.create(lamp);
    at('2026-11-11T09:00:00');
    // A neighbour reports the same lamp; another caller asks about something else elsewhere.
    expect((await cases.likelyRepeats({ ...lamp, callerPhone: '+8613900000002' })).map((c) => c.id)).toEqual([master.id]);
    expect(await cases.likelyRepeats({ ...lamp, callerPhone: '+8613900000003', district: '西城区' })).toEqual([]);
    expect(await cases.likelyRepeats({ callerPhone: '+8613900000004', category: '城市管理/路灯', district: '东城区', address: '胜利街1号' })).toEqual([]);
    // The same caller again, about anything.
    expect((await cases.likelyRepeats({ callerPhone: '+8613900000001', category: '教育/招生' })).map((c) => c.id)).toEqual([master.id]);
    const repeat = await cases.create({ ...lamp, callerPhone: '+8613900000002' });
    const merged = await cases.act(repeat.id, { type: 'MERGE', master: master.id, by: 'agent' });
    expect(merged).toMatchObject({ state: 'merged', due_at: null });
    // Merged and closed cases are not offered again; after 7 days neither is the master.
    expect((await cases.likelyRepeats({ ...lamp, callerPhone: '+8613900000005' })).map((c) => c.id)).toEqual([master.id]);
    at('2026-11-17T09:00:00');
    expect(await cases.likelyRepeats({ ...lamp, callerPhone: '+8613900000005' })).toEqual([]);
  });
});
