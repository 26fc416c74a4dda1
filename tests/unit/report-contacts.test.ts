import { describe, expect, it } from 'vitest';
import { firstContact, textAnswers } from '../../server/reports/service.ts';

const at = (h: number) => new Date(Date.UTC(2026, 9, 1) + h * 3600_000).toISOString();

describe('contact measures', () => {
  it('a handed-off text is answered by the first text within 24 hours of the hand-off, not later', () => {
    const conv = (id: string, from: string, ended: number) => ({ id, from, startedAt: at(ended - 0.01), outcome: 'handed_off', endedAt: at(ended) });
    const answered = textAnswers(
      [conv('a', '+1', 0), conv('b', '+2', 0), conv('c', '+3', 10)],
      [
        { to: '+1', at: at(-1) }, // before the hand-off: not the answer
        { to: '+1', at: at(2) },
        { to: '+2', at: at(30) }, // too late
        { to: '+3', at: at(10) }, // at the moment of the hand-off
      ],
    );
    expect([...answered]).toEqual([
      ['a', at(2)],
      ['c', at(10)],
    ]);
  });

  it('first-contact resolution looks for the same number within 72 hours after each contact, however often it calls', () => {
    // A withheld number calling every 100 hours: each call is settled (the next is more than 72 h on).
    const withheld = Array.from({ length: 2000 }, (_, i) => ({ id: `w${i}`, from: 'anonymous', at: at(i * 100) }));
    const again = [{ id: 'x', from: '+9', at: at(0) }];
    const later = [...withheld, ...again, { from: '+9', at: at(71) }].reverse(); // any order
    const r = firstContact([...withheld, ...again, { id: 'y', from: '+8', at: at(5) }], later, new Set(['y']));
    // All 2000 withheld calls settled; x was called again after 71 h; y opened a case.
    expect(r.resolution).toEqual({ numerator: 2000, denominator: 2002, rate: 2000 / 2002 });
  });
});
