import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { caseLifecycle, stateOf } from '../../server/cases/lifecycle.ts';
import { Cases, type CaseRow, type Move } from '../../server/cases/service.ts';
import { seedHistory, type SeedResult } from '../../server/demo/seed.ts';
import { openStore, type Store } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshPostgres, freshStore, testStore } from '../helpers/postgres.ts';

const run = promisify(execFile);
const cn = (local: string) => new Date(`${local}+08:00`);
/** Three weeks ending 15 October 2026 (China time), looked at seven hours into the 15th. */
const END = cn('2026-10-15T00:00:00');
const NOW = cn('2026-10-15T07:00:00');
const OPTIONS = { days: 21, end: END, now: NOW, callsPerDay: 40, smsPerDay: 12, casesPerDay: 30, seed: 7, verify: 1 };
const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));

type EventRow = { case_id: string; seq: number; type: string; from_state: string; to_state: string; by_user: string; at: string; reason: string | null; event: string };

describe(`demo seed on the ${testStore()} store`, () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let result: SeedResult;
  let cases: Cases;
  let rows: CaseRow[];
  const events = new Map<string, EventRow[]>();

  beforeAll(async () => {
    ({ store, cleanup } = await freshStore());
    result = await seedHistory(store, OPTIONS);
    cases = new Cases(store.db, policy, policy.rules, () => NOW);
    rows = await store.db.selectFrom('cases').selectAll().orderBy('created_at').execute();
    for (const e of await store.db.selectFrom('case_events').selectAll().orderBy('case_id').orderBy('seq').execute()) {
      const list = events.get(e.case_id) ?? [];
      list.push(e);
      events.set(e.case_id, list);
    }
  }, 60_000);
  afterAll(() => cleanup?.());

  it('writes the volumes asked for, ending the day before `end`', async () => {
    expect(result).toMatchObject({ from: '2026-09-24', to: '2026-10-15', now: NOW.toISOString() });
    expect(rows).toHaveLength(21 * 30);
    const inbound = await store.db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n')).where('direction', '=', 'inbound').executeTakeFirstOrThrow();
    expect(Number(inbound.n)).toBe(21 * 40);
    expect(result.rows.sms_sessions).toBe(21 * 12);
    const last = await store.db.selectFrom('calls').select((eb) => eb.fn.max('started_at').as('t')).where('direction', '=', 'inbound').executeTakeFirstOrThrow();
    expect(String(last.t) < END.toISOString()).toBe(true);
    expect(rows.every((r) => r.created_at >= cn('2026-09-24T00:00:00').toISOString() && r.created_at < END.toISOString())).toBe(true);
  });

  it('stores every case as the cases capability rebuilds it from its events, numbered in sequence', async () => {
    for (const r of rows) {
      const snapshot = await cases.rebuild(r.id);
      expect(r.snapshot, r.id).toBe(JSON.stringify(caseLifecycle.getPersistedSnapshot(snapshot)));
      expect(r.state, r.id).toBe(stateOf(snapshot));
      const list = events.get(r.id)!;
      expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1));
      expect(r.version).toBe(list.length);
      expect(list[0]).toMatchObject({ type: 'CREATE', to_state: 'received', at: r.created_at });
      expect(r.updated_at).toBe(list[list.length - 1]!.at);
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.from_state).toBe(list[i - 1]!.to_state);
        expect(list[i]!.at >= list[i - 1]!.at).toBe(true);
      }
    }
    // The day's numbering continues after the seed without colliding.
    const seq = await store.db.selectFrom('case_sequences').selectAll().where('day', '=', '2026-10-14').executeTakeFirstOrThrow();
    expect(rows.filter((r) => r.id.startsWith('261014')).length).toBe(seq.last);
    const more = await new Cases(store.db, policy, policy.rules, () => cn('2026-10-14T23:59:00')).create({ type: '咨询', category: '其他/建议', urgency: 'normal', callerPhone: '+8613800000001', description: '测试', channel: 'web', by: 'system' });
    expect(rows.some((r) => r.id === more.id)).toBe(false);
    await store.db.deleteFrom('case_events').where('case_id', '=', more.id).execute();
    await store.db.deleteFrom('cases').where('id', '=', more.id).execute();
  });

  it('has varied histories: returns, extensions, reopenings, merges, late departments', () => {
    const types = new Set([...events.values()].flat().map((e) => e.type));
    for (const t of ['DISPATCH', 'ACCEPT', 'START', 'REPLY', 'CALLBACK', 'CLOSE', 'REOPEN', 'SUPERVISE', 'RETURN', 'REDISPATCH', 'REQUEST_EXTENSION', 'APPROVE_EXTENSION', 'MERGE']) expect(types, t).toContain(t);
    expect(new Set(rows.map((r) => r.state)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(rows.map((r) => r.channel))).toEqual(new Set(['voice', 'sms', 'web', 'open311']));
  });

  it('records an overdue miss before every late move, and leaves the scheduler nothing to catch up on', async () => {
    const misses = await store.db.selectFrom('case_deadline_misses').selectAll().execute();
    expect(misses.some((m) => m.kind === 'overdue')).toBe(true);
    // Each overdue miss is supervised in the same instant, unless the case was still with the centre (受理).
    for (const m of misses.filter((x) => x.kind === 'overdue')) {
      const supervised = events.get(m.case_id)!.find((e) => e.type === 'SUPERVISE' && e.by_user === 'system' && e.at === m.at);
      if (!supervised) expect(events.get(m.case_id)!.filter((e) => e.at <= m.at).pop()!.to_state).toBe('received');
      else expect(supervised.reason).toBe(`超期: ${m.step} due ${m.due_at}`);
      expect(m.due_at <= m.at && m.at <= NOW.toISOString()).toBe(true);
    }
    // A case past its deadline at `now` has its miss recorded and nothing left to check.
    for (const r of rows) {
      if (r.due_at && r.due_at <= NOW.toISOString()) {
        expect(r.next_check_at, r.id).toBeNull();
        expect(misses.some((m) => m.case_id === r.id && m.step === r.due_step && m.due_at === r.due_at && m.kind === 'overdue')).toBe(true);
      }
      if (r.next_check_at) expect(r.next_check_at > NOW.toISOString()).toBe(true);
    }
    expect(await cases.scanDeadlines()).toEqual([]);
  });

  it('is what the cases capability itself records when the same moves are made through it, the scheduler running between them', async () => {
    const again = await freshStore();
    try {
      let clock = END;
      const real = new Cases(again.store.db, policy, policy.rules, () => clock);
      /** The scheduler's scans up to `t`: at each next check point before it (or at it, for the last). */
      const scanUntil = async (id: string, t: string, inclusive: boolean) => {
        for (let i = 0; i < 10; i++) {
          const c = (await real.get(id))!;
          if (!c.next_check_at || (inclusive ? c.next_check_at > t : c.next_check_at >= t)) return;
          clock = new Date(c.next_check_at);
          await real.scanDeadlines();
        }
      };
      // Every case with a return, an extension, a reopening or a late step, and some ordinary ones.
      const eventful = rows.filter((r) => events.get(r.id)!.some((e) => ['RETURN', 'REQUEST_EXTENSION', 'REOPEN', 'MERGE'].includes(e.type) || e.by_user === 'system'));
      const sample = [...eventful.slice(0, 40), ...rows.filter((_, i) => i % 25 === 0)].sort((a, b) => a.created_at.localeCompare(b.created_at));
      expect(sample.length).toBeGreaterThan(40);
      for (const r of sample) {
        const list = events.get(r.id)!;
        clock = new Date(r.created_at);
        const made = await real.create({ type: r.type as never, category: r.category, urgency: r.urgency as never, callerPhone: r.caller_phone, description: r.description, channel: r.channel as never, by: list[0]!.by_user });
        for (const e of list.slice(1)) {
          if (e.type === 'SUPERVISE' && e.by_user === 'system') continue; // the scheduler makes these itself
          await scanUntil(made.id, e.at, false);
          clock = new Date(e.at);
          await real.act(made.id, JSON.parse(e.event) as Move);
        }
        await scanUntil(made.id, NOW.toISOString(), true);
        const mine = (await real.get(made.id))!;
        // Only the scheduler's own moves may differ in time: it scans every 30 s, the test exactly at each point.
        const byScheduler = list[list.length - 1]!.by_user === 'system';
        const pick = (c: CaseRow) => ({ state: c.state, snapshot: c.snapshot, version: c.version, department: c.department, due_step: c.due_step, due_at: c.due_at, warn_at: c.warn_at, next_check_at: c.next_check_at, updated_at: byScheduler ? '' : c.updated_at });
        expect(pick(mine), r.id).toEqual(pick(r));
        const theirs = await again.store.db.selectFrom('case_events').selectAll().where('case_id', '=', made.id).orderBy('seq').execute();
        const comparable = (e: EventRow) => (e.by_user === 'system' ? { type: e.type, reason: e.reason, from: e.from_state } : { type: e.type, event: e.event, from: e.from_state, to: e.to_state });
        expect(theirs.map(comparable), r.id).toEqual(list.map(comparable));
        const missesOf = async (db: Store['db'], id: string) => (await db.selectFrom('case_deadline_misses').select(['step', 'kind', 'due_at']).where('case_id', '=', id).execute()).map((m) => `${m.step} ${m.kind} ${m.due_at}`).sort();
        expect(await missesOf(again.store.db, made.id), r.id).toEqual(await missesOf(store.db, r.id));
      }
    } finally {
      await again.cleanup();
    }
  }, 60_000);

  it('the case measures of the period count what was written', async () => {
    const period = { from: cn('2026-09-24T00:00:00').toISOString(), to: END.toISOString() };
    const m = await cases.measures(period);
    expect(m.received).toBe(rows.length);
    const moves = [...events.values()].flat().filter((e) => e.at >= period.from && e.at < period.to);
    expect(m.dispatched).toBe(moves.filter((e) => e.type === 'DISPATCH').length);
    expect(m.replied).toBe(moves.filter((e) => e.type === 'REPLY').length);
    expect(m.onTime.accept.numerator).toBeLessThan(m.onTime.accept.denominator); // some late
    expect(m.satisfaction.rate).toBeGreaterThan(0.7);
    expect(m.byDistrict.length).toBeGreaterThanOrEqual(6);
  });

  it('texts and calls: hand-offs answered by an agent, first texts delivered (never queued), known articles', async () => {
    expect(await store.db.selectFrom('outbox').select('id').where('status', '!=', 'delivered').execute()).toEqual([]);
    const outbox = await store.db.selectFrom('outbox').selectAll().execute();
    const sessions = await store.db.selectFrom('sms_sessions').selectAll().execute();
    expect(new Set(sessions.map((s) => s.outcome))).toEqual(new Set(['answered_in_menu', 'handed_off', 'abandoned']));
    for (const s of sessions.filter((x) => x.outcome === 'handed_off')) {
      const after = (t: string) => Date.parse(t) - Date.parse(s.ended_at!);
      expect(outbox.some((o) => o.channel === 'sms' && o.recipient === s.from_number && after(o.created_at) >= 30_000 && after(o.created_at) <= 600_000), s.id).toBe(true);
    }
    const calls = await store.db.selectFrom('calls').selectAll().where('direction', '=', 'inbound').execute();
    const taken = new Map((await store.db.selectFrom('call_assignments').selectAll().execute()).map((a) => [a.call_sid, a]));
    const handedOff = calls.filter((c) => c.handed_off_at);
    expect(handedOff.every((c) => c.outcome === 'handed_off' && JSON.parse(c.path).length >= 2)).toBe(true);
    for (const [sid, a] of taken) {
      const c = calls.find((x) => x.call_sid === sid)!;
      expect(c.handed_off_at && a.at >= c.handed_off_at).toBeTruthy();
    }
    const abandonedInQueue = handedOff.filter((c) => !taken.has(c.call_sid)).length / handedOff.length;
    expect(abandonedInQueue).toBeGreaterThan(0.02);
    expect(abandonedInQueue).toBeLessThan(0.16);
    // A voice case comes from a call its agent took; the knowledge base's answers name real articles.
    for (const r of rows.filter((x) => x.channel === 'voice' && x.call_sid)) {
      const c = calls.find((x) => x.call_sid === r.call_sid)!;
      expect(c.from_number).toBe(r.caller_phone);
      expect(taken.get(c.call_sid)!.username).toBe(events.get(r.id)![0]!.by_user);
      expect(c.ended_at! > r.created_at).toBe(true);
    }
    const answers = await store.db.selectFrom('knowledge_answers').selectAll().execute();
    const known = new Set((await import('../../server/knowledge/folder.ts')).readFolder(path.join(REPO, 'knowledge')).articles.map((a) => a.id));
    expect(answers.filter((a) => a.article_id).every((a) => known.has(a.article_id!))).toBe(true);
    const unanswered = new Map<string, number>();
    for (const a of answers.filter((x) => x.decision === 'human')) unanswered.set(a.question, (unanswered.get(a.question) ?? 0) + 1);
    expect(Math.max(...unanswered.values())).toBeGreaterThanOrEqual(4); // questions that recur
  });

  it('gives the same history for the same seed', async () => {
    const [a, b] = [await freshStore(), await freshStore()];
    try {
      const small = { ...OPTIONS, days: 3, casesPerDay: 8, callsPerDay: 10, smsPerDay: 4 };
      await seedHistory(a.store, small);
      await seedHistory(b.store, small);
      const dump = async (s: Store) => ({
        cases: await s.db.selectFrom('cases').selectAll().orderBy('id').execute(),
        calls: await s.db.selectFrom('calls').select(['call_sid', 'from_number', 'path', 'started_at']).orderBy('call_sid').execute(),
      });
      expect(await dump(a.store)).toEqual(await dump(b.store));
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('npx hotline demo seed fills an empty store and refuses one that has cases, saying what to do', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hotline-demo-'));
    const pg = testStore() === 'postgres' ? await freshPostgres() : undefined;
    const env = { ...process.env, LOG_LEVEL: 'silent', HOTLINE_DATA_DIR: path.join(tmp, 'data'), ...(pg ? { DATABASE_URL: pg.url } : {}) };
    const hotline = async (args: string[]) => {
      try {
        const r = await run(process.execPath, ['bin/hotline.mjs', ...args], { cwd: REPO, env, timeout: 60_000 });
        return { code: 0, stdout: r.stdout, stderr: r.stderr };
      } catch (err) {
        const e = err as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };
    try {
      const first = await hotline(['demo', 'seed', '--days', '2', '--scale', '0.02']);
      expect(first.stderr).toMatch(/day 2\/2/);
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^seeded \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} .* 10 cases/);
      const s = await openStore({ dataDir: path.join(tmp, 'data'), databaseUrl: pg?.url });
      const n = await s.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await s.close();
      expect(Number(n.n)).toBe(10);

      const again = await hotline(['demo', 'seed', '--days', '2']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already has 10 case(s)');
      expect(again.stderr).toMatch(/Use a fresh HOTLINE_DATA_DIR .* or pass --force/);
    } finally {
      await pg?.drop();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
