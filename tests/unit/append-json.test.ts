import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendJson } from '../../server/voice/calls.ts';

describe('appendJson (a call path/inputs grows without being parsed again)', () => {
  it('gives the same JSON as parse, push and stringify, for any items', () => {
    const item = fc.oneof(fc.string(), fc.record({ state: fc.string(), speech: fc.string(), confidence: fc.double({ noNaN: true, noDefaultInfinity: true }) }));
    fc.assert(
      fc.property(fc.array(item), fc.array(item), (before, added) => {
        const appended = appendJson(JSON.stringify(before), added);
        expect(JSON.parse(appended)).toEqual(JSON.parse(JSON.stringify([...before, ...added])));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the array untouched when nothing is added', () => {
    expect(appendJson('["greeting"]', [])).toBe('["greeting"]');
    expect(appendJson('[]', ['a', 'b'])).toBe('["a","b"]');
  });
});
