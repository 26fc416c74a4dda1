import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, IllegalMove, newCase, replay, stateOf, type CaseEvent } from '../../server/cases/lifecycle.ts';
import { caseNumber, isCaseNumber } from '../../server/cases/number.ts';

const rules = { returnWindowHours: 24, maxExtensions: 1 };
let clock = Date.parse('2026-10-12T01:00:00Z');
const at = (plusHours = 1) => new Date((clock += plusHours * 3600_000)).toISOString();
const ev = (e: Record<string, unknown> & { type: CaseEvent['type'] }, hours = 1): CaseEvent => ({ by: 'u1', at: at(hours), ...e }) as CaseEvent;

describe('the case lifecycle', () => {
  it('walks a complaint through return, re-dispatch, supervision, one extension, reply, callback and close', () => {
    const events: CaseEvent[] = [
      ev({ type: 'DISPATCH', department: 'HRSS' }),
      ev({ type: 'RETURN', reason: '不属于本单位职责' }, 3),
      ev({ type: 'REDISPATCH', department: 'MARKET' }),
      ev({ type: 'ACCEPT' }),
      ev({ type: 'START' }),
      ev({ type: 'SUPERVISE', reason: '超期未回复' }, 200),
      ev({ type: 'REQUEST_EXTENSION', reason: '需现场核查', workingDays: 5 }),
      ev({ type: 'APPROVE_EXTENSION', by: 'supervisor' }),
      ev({ type: 'REPLY' }),
      ev({ type: 'CALLBACK', satisfied: true }),
      ev({ type: 'CLOSE' }),
    ];
    const s = replay(rules, events);
    expect(stateOf(s)).toBe('closed');
    expect(s.status).toBe('done');
    expect(s.context).toMatchObject({ department: 'MARKET', extensions: 1, supervisions: 1, satisfied: true });
  });

  it('refuses illegal moves with a clear reason, and the state does not change', () => {
    const received = newCase(rules);
    expect(() => apply(received, ev({ type: 'REPLY' }))).toThrow(/受理 \(received\) cannot take REPLY: only DISPATCH, MERGE can happen now/);
    const dispatched = apply(received, ev({ type: 'DISPATCH', department: 'HRSS' }));
    expect(() => apply(dispatched, ev({ type: 'RETURN', reason: ' ' }))).toThrow(/a reason is required/);
    expect(() => apply(dispatched, ev({ type: 'RETURN', reason: '不属于' }, 25))).toThrow(/return window \(24 h after dispatch\) has passed/);
    expect(stateOf(dispatched)).toBe('dispatched');
    const accepted = apply(dispatched, ev({ type: 'ACCEPT' }));
    const asked = apply(accepted, ev({ type: 'REQUEST_EXTENSION', reason: '材料不全', workingDays: 3 }));
    expect(() => apply(asked, ev({ type: 'REPLY' }))).toThrow(/extension request is waiting/);
    expect(() => apply(asked, ev({ type: 'REQUEST_EXTENSION', reason: '再延', workingDays: 3 }))).toThrow(/already waiting/);
    const granted = apply(asked, ev({ type: 'APPROVE_EXTENSION' }));
    expect(() => apply(granted, ev({ type: 'REQUEST_EXTENSION', reason: '再延', workingDays: 3 }))).toThrow(/had its 1 extension/);
    expect(() => apply(granted, ev({ type: 'APPROVE_EXTENSION' }))).toThrow(/no extension request is waiting/);
    const replied = apply(granted, ev({ type: 'REPLY' }));
    const unhappy = apply(replied, ev({ type: 'CALLBACK', satisfied: false }));
    expect(() => apply(unhappy, ev({ type: 'CLOSE' }))).toThrow(/not satisfied; reopen it/);
    const reopened = apply(unhappy, ev({ type: 'REOPEN', reason: '群众不满意' }));
    expect(stateOf(reopened)).toBe('in_progress');
    expect(reopened.context.reopened).toBe(1);
    const closed = replay(rules, [ev({ type: 'DISPATCH', department: 'X' }), ev({ type: 'ACCEPT' }), ev({ type: 'REPLY' }), ev({ type: 'CALLBACK', satisfied: true }), ev({ type: 'CLOSE' })]);
    expect(() => apply(closed, ev({ type: 'REOPEN', reason: 'x' }))).toThrow(IllegalMove);
    expect(() => apply(closed, ev({ type: 'REOPEN', reason: 'x' }))).toThrow(/the case is finished/);
  });

  it('merges a repeated request into its master case from 受理', () => {
    const s = apply(newCase(rules), ev({ type: 'MERGE', master: '26101200157' }));
    expect(stateOf(s)).toBe('merged');
    expect(s.context.master).toBe('26101200157');
  });

  it('rebuilds the same state from the same history', () => {
    const events = [ev({ type: 'DISPATCH', department: 'A' }), ev({ type: 'ACCEPT' }), ev({ type: 'START' }), ev({ type: 'SUPERVISE', reason: '超期' })];
    expect(replay(rules, events).context).toEqual(replay(rules, events).context);
    expect(JSON.parse(JSON.stringify(replay(rules, events).value))).toBe('in_progress');
  });
});

describe('case numbers', () => {
  it('are digits: the China date, the day’s sequence, a check digit', () => {
    expect(caseNumber('2026-10-12', 15)).toMatch(/^2610120015\d$/);
    expect(isCaseNumber(caseNumber('2026-10-12', 15))).toBe(true);
    expect(isCaseNumber(caseNumber('2026-10-12', 12345))).toBe(true);
  });

  it('catch every single wrong digit and every swap of neighbouring digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99999 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 9 }), (seq, pos, delta) => {
        const n = caseNumber('2026-02-14', seq);
        const i = pos % n.length;
        const typo = n.slice(0, i) + String((Number(n[i]) + delta) % 10) + n.slice(i + 1);
        expect(isCaseNumber(typo)).toBe(false);
        if (i + 1 < n.length && n[i] !== n[i + 1]) expect(isCaseNumber(n.slice(0, i) + n[i + 1] + n[i] + n.slice(i + 2))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
