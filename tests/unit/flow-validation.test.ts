import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseFlowSource, flowHash, type FlowIssue, type ParseResult } from '../../server/flows/load.ts';
import { defaultImplementations } from '../../server/flows/implementations.ts';
import { flowImplementations } from '../../server/wiring.ts';
import { listFlowFiles, readFlowFile } from '../../server/flows/files.ts';
import { fromPromise } from 'xstate';

const FLOWS_DIR = path.resolve(import.meta.dirname, '../../flows');
const FILE = 'flows/test.yaml';
const impl = defaultImplementations();

/**
 * The smallest flow that passes every rule. Line numbers below are counted from this text;
 * the first test pins the ones the other tests rely on, so editing BASE fails loudly there.
 *
 *  1 id            11 machine:            21 options:            31 done:
 *  6 human:        12 initial: menu       22 - { digit "1" ... } 32 type: final
 *  9 zh-CN words   13 on:                 23 on:                 33 say:
 * 10 en-US words   14 AGENT: agent        24 ONE: done           34 zh-CN: 再见。
 *                  15 states:             25 NO_INPUT:           35 en-US: Goodbye.
 *                  16 menu:               26 - retry branch      36 hangup: true
 *                  17 say:                27 - agent             37 agent:
 *                  18 zh-CN prompt        28 INVALID:            38 type: final
 *                  19 en-US prompt        29 - retry branch      39 handoff
 *                  20 gather:             30 - agent
 */
const BASE = `id: t
title: Test flow
channel: voice
languages: [zh-CN, en-US]
defaultLanguage: zh-CN
human:
  digit: "0"
  words:
    zh-CN: [人工]
    en-US: [agent]
machine:
  initial: menu
  on:
    AGENT: agent
  states:
    menu:
      say:
        zh-CN: 请按一。
        en-US: Press one.
      gather:
        options:
          - { digit: "1", event: ONE, words: { zh-CN: [第一], en-US: [first] } }
      on:
        ONE: done
        NO_INPUT:
          - { guard: retriesLeft, target: menu, actions: countRetry }
          - agent
        INVALID:
          - { guard: retriesLeft, target: menu, actions: countRetry }
          - agent
    done:
      type: final
      say:
        zh-CN: 再见。
        en-US: Goodbye.
      hangup: true
    agent:
      type: final
      handoff: { queue: general }
`;

const NO_INPUT_BLOCK = `        NO_INPUT:
          - { guard: retriesLeft, target: menu, actions: countRetry }
          - agent
`;
const INVALID_BLOCK = `        INVALID:
          - { guard: retriesLeft, target: menu, actions: countRetry }
          - agent
`;

/** Replace text that must occur exactly once, so a test cannot silently edit nothing. */
function edit(src: string, from: string, to: string): string {
  const n = src.split(from).length - 1;
  if (n !== 1) throw new Error(`expected exactly one "${from}" in the flow, found ${n}`);
  return src.replace(from, to);
}

/** 1-based line of the only line containing `needle`. */
function lineOf(src: string, needle: string): number {
  const lines = src.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`expected one line with "${needle}", found ${hits.length}`);
  return hits[0]!;
}

function issuesOf(src: string, file = FILE, implementations = impl): FlowIssue[] {
  const r: ParseResult = parseFlowSource(file, src, implementations);
  if (r.ok) throw new Error('expected the flow to be refused, but it validated');
  return r.issues;
}

/** The one issue whose message matches; asserts there is exactly one such issue. */
function issue(issues: FlowIssue[], message: RegExp): FlowIssue {
  const found = issues.filter((i) => message.test(i.message));
  expect(found, `issues matching ${message}: ${JSON.stringify(issues, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

function expectAt(i: FlowIssue, where: { line: number; state: string | undefined; file?: string }) {
  expect({ file: i.file, line: i.line, state: i.state }).toEqual({ file: where.file ?? FILE, line: where.line, state: where.state });
}

describe('the minimal flow these tests derive from', () => {
  it('validates cleanly and has the line numbers the other tests count on', () => {
    const r = parseFlowSource(FILE, BASE, impl);
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    expect(lineOf(BASE, 'initial: menu')).toBe(12);
    expect(lineOf(BASE, '    menu:')).toBe(16);
    expect(lineOf(BASE, 'Press one.')).toBe(19);
    expect(lineOf(BASE, '        options:')).toBe(21);
    expect(lineOf(BASE, 'event: ONE')).toBe(22);
    expect(lineOf(BASE, 'ONE: done')).toBe(24);
    expect(lineOf(BASE, 'NO_INPUT:')).toBe(25);
    expect(lineOf(BASE, 'INVALID:')).toBe(28);
    expect(lineOf(BASE, '    done:')).toBe(31);
    expect(lineOf(BASE, 'Goodbye.')).toBe(35);
    expect(lineOf(BASE, '    agent:')).toBe(37);
  });
});

describe('syntax errors', () => {
  it('reports a YAML syntax error at its line, without a state', () => {
    const src = edit(BASE, '  initial: menu\n', '  initial: menu: oops\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expectAt(issues[0]!, { line: 12, state: undefined });
    expect(issues[0]!.message).toMatch(/^syntax error: /);
  });

  it('reports a duplicated key as a syntax error on the second occurrence', () => {
    // Inserted after line 3, so the duplicate title is line 4.
    const src = edit(BASE, 'channel: voice\n', 'channel: voice\ntitle: Again\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expectAt(issues[0]!, { line: 4, state: undefined });
    expect(issues[0]!.message).toMatch(/syntax error: .*unique/i);
  });

  it('reports a JSON syntax error in a .json flow at the line where the parser stops', () => {
    const json = JSON.stringify(parseYaml(BASE), null, 2);
    const lines = json.split('\n');
    // line 1 "{", line 2 "id", line 3 "title", line 4 "channel"
    expect(lines[2]).toBe('  "title": "Test flow",');
    expect(lines[3]).toBe('  "channel": "voice",');
    // The same JSON, well formed, is a valid flow: the failure below is the comma alone.
    expect(parseFlowSource('flows/test.json', json, impl).ok).toBe(true);

    lines[2] = '  "title": "Test flow"'; // comma dropped; the next key, line 4, is where it is noticed
    const issues = issuesOf(lines.join('\n'), 'flows/test.json');
    expect(issues).toHaveLength(1);
    expectAt(issues[0]!, { file: 'flows/test.json', line: 4, state: undefined });
    expect(issues[0]!.message).toMatch(/^syntax error: .*,/);
  });

  it('reports an unterminated JSON object', () => {
    const json = JSON.stringify(parseYaml(BASE), null, 2);
    const cut = json.slice(0, json.lastIndexOf('}')); // drop the closing brace
    const issues = issuesOf(cut, 'flows/test.json');
    expect(issues.every((i) => i.file === 'flows/test.json' && i.message.startsWith('syntax error'))).toBe(true);
    expect(issues.length).toBeGreaterThan(0);
  });
});

describe('schema errors', () => {
  it('rejects an event name that is not UPPER_SNAKE_CASE, at its line and state', () => {
    const src = edit(BASE, '        ONE: done\n', '        one: done\n');
    const i = issue(issuesOf(src), /machine\.states\.menu\.on\.one: .*/);
    expectAt(i, { line: 24, state: 'menu' });
  });

  it('rejects a top-level value with a bad shape (flow id not kebab-case) at line 1', () => {
    const src = edit(BASE, 'id: t\n', 'id: T_1\n');
    const i = issue(issuesOf(src), /^id: .*kebab-case/);
    expectAt(i, { line: 1, state: undefined });
  });

  it('rejects an option key that is not a single key, at the option line', () => {
    const src = edit(BASE, 'digit: "1", event: ONE', 'digit: "12", event: ONE');
    const i = issue(issuesOf(src), /gather\.options\.0\.digit: a single key/);
    expectAt(i, { line: 22, state: 'menu' });
  });

  it('rejects an unknown key, naming the key and the state it is in', () => {
    // `colour` lands on line 37, inside state "done" (lines 31-37).
    const src = edit(BASE, '      hangup: true\n', '      hangup: true\n      colour: red\n');
    expect(lineOf(src, 'colour')).toBe(37);
    const i = issue(issuesOf(src), /Unrecognized key.*colour/);
    expect(i.file).toBe(FILE);
    expect(i.state).toBe('done');
    expect(i.line).toBeGreaterThanOrEqual(31);
    expect(i.line).toBeLessThanOrEqual(37);
  });

  // BUG (server/flows/load.ts, parseFlowSource/locate): for zod's "unrecognized_keys" issue the
  // path is the object holding the key, so the line reported is the object's first line (32,
  // `type: final`), not the unknown key's own line (37). The issue carries `keys`; locate should
  // use [...path, keys[0]] and point at that pair's key.
  it('reports an unknown key on the line of that key', () => {
    const src = edit(BASE, '      hangup: true\n', '      hangup: true\n      colour: red\n');
    const i = issue(issuesOf(src), /Unrecognized key.*colour/);
    expectAt(i, { line: 37, state: 'done' });
  });
});

describe('names the server must implement', () => {
  it('rejects an unknown action in a transition, at the transition line', () => {
    const src = edit(
      BASE,
      INVALID_BLOCK,
      INVALID_BLOCK.replace('actions: countRetry', 'actions: [countRetry, beep]'),
    );
    const i = issue(issuesOf(src), /action "beep" is not implemented/);
    expectAt(i, { line: 29, state: 'menu' });
  });

  it('rejects an unknown entry action, at the entry line', () => {
    const src = edit(BASE, '    done:\n      type: final\n', '    done:\n      type: final\n      entry: ring\n');
    const i = issue(issuesOf(src), /action "ring" is not implemented/);
    expectAt(i, { line: 33, state: 'done' });
  });

  it('rejects an unknown guard', () => {
    const src = edit(BASE, '        ONE: done\n', '        ONE: { guard: isVip, target: done }\n');
    const i = issue(issuesOf(src), /guard "isVip" is not implemented/);
    expectAt(i, { line: 24, state: 'menu' });
  });

  const withLookup = edit(
    edit(BASE, '        ONE: done\n', '        ONE: lookup\n'),
    '    done:\n',
    // lines 31-32
    '    lookup:\n      invoke: { src: fetchThing, onDone: done, onError: agent }\n    done:\n',
  );

  it('rejects an unknown actor, at the invoke line', () => {
    const i = issue(issuesOf(withLookup), /actor "fetchThing" is not implemented/);
    expectAt(i, { line: 32, state: 'lookup' });
  });

  it('accepts the same invoke once the server implements the actor', () => {
    const withActor = defaultImplementations({ actors: { fetchThing: fromPromise(async () => 'x') } });
    const r = parseFlowSource(FILE, withLookup, withActor);
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
  });
});

describe('graph rules', () => {
  it('rejects a target state that does not exist', () => {
    const src = edit(BASE, '        ONE: done\n', '        ONE: dnoe\n');
    const i = issue(issuesOf(src), /target state "dnoe" does not exist/);
    expectAt(i, { line: 24, state: 'menu' });
  });

  it('rejects an initial state that does not exist', () => {
    const src = edit(BASE, '  initial: menu\n', '  initial: start\n');
    const i = issue(issuesOf(src), /initial state "start" does not exist/);
    expectAt(i, { line: 12, state: undefined });
  });

  it('rejects an unreachable state, pointing into that state', () => {
    // orphan: is line 37, its body starts on line 38.
    const src = edit(BASE, '    agent:\n', '    orphan:\n      type: final\n      hangup: true\n    agent:\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/state "orphan" is unreachable from "menu"/);
    expectAt(issues[0]!, { line: 37, state: 'orphan' });
  });

  it('rejects a non-final state with no way out', () => {
    // stuck: is line 31 (reached by ONE), its body starts on line 32.
    const src = edit(
      edit(BASE, '        ONE: done\n', '        ONE: stuck\n'),
      '    done:\n',
      '    stuck:\n      say:\n        zh-CN: 嗯。\n        en-US: Hm.\n    done:\n',
    );
    const i = issue(issuesOf(src), /non-final state has no way out/);
    expectAt(i, { line: 31, state: 'stuck' });
  });

  it('rejects a state without gather or invoke that has no CONTINUE', () => {
    const src = edit(
      edit(BASE, '        ONE: done\n', '        ONE: info\n'),
      '    done:\n',
      '    info:\n      say:\n        zh-CN: 嗯。\n        en-US: Hm.\n      on:\n        NEXT: done\n    done:\n',
    );
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/on\.CONTINUE/);
    expectAt(issues[0]!, { line: 31, state: 'info' });
    // ...and the same state with CONTINUE is fine.
    expect(parseFlowSource(FILE, src.replace('NEXT: done', 'CONTINUE: done'), impl).ok).toBe(true);
  });
});

describe('what the caller hears', () => {
  it('rejects a prompt missing a declared language, at the say block', () => {
    const src = edit(BASE, '        en-US: Goodbye.\n', '');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/say has no en-US text/);
    expectAt(issues[0]!, { line: 33, state: 'done' });
  });

  it('rejects option words missing a declared language when the state listens to speech', () => {
    const src = edit(BASE, 'words: { zh-CN: [第一], en-US: [first] }', 'words: { zh-CN: [第一] }');
    const i = issue(issuesOf(src), /option ONE words has no en-US text/);
    expectAt(i, { line: 22, state: 'menu' });
    // DTMF only: words are not heard, so they need not be complete.
    expect(parseFlowSource(FILE, edit(src, '      gather:\n', '      gather:\n        input: [dtmf]\n'), impl).ok).toBe(true);
  });

  it('rejects an input state without a prompt', () => {
    const src = edit(BASE, '      say:\n        zh-CN: 请按一。\n        en-US: Press one.\n', '');
    const i = issue(issuesOf(src), /waits for input needs a prompt/);
    expectAt(i, { line: 16, state: 'menu' }); // the problem is reported on the state's key line
  });

  it('rejects speech settings Twilio does not document: sayLanguage zh-CN', () => {
    // speech: is line 11, its zh-CN entry line 12.
    const src = edit(BASE, 'machine:\n', 'speech:\n  zh-CN: { voice: Google.cmn-CN-Standard-A, sayLanguage: zh-CN, recognition: cmn-Hans-CN }\nmachine:\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/sayLanguage zh-CN is not a Twilio <Say> language.*cmn-CN/);
    expectAt(issues[0]!, { line: 12, state: undefined });
  });

  it('rejects speech settings Twilio does not document: recognition zh-CN for Mandarin', () => {
    const src = edit(BASE, 'machine:\n', 'speech:\n  zh-CN: { voice: Google.cmn-CN-Standard-A, sayLanguage: cmn-CN, recognition: zh-CN }\nmachine:\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/recognition zh-CN is not a Twilio <Gather> language.*cmn-Hans-CN/);
    expectAt(issues[0]!, { line: 12, state: undefined });
  });

  it('rejects an English voice for the Mandarin Say language', () => {
    const src = edit(BASE, 'machine:\n', 'speech:\n  zh-CN: { voice: Polly.Joanna-Neural, sayLanguage: cmn-CN, recognition: cmn-Hans-CN }\nmachine:\n');
    const i = issue(issuesOf(src), /voice Polly\.Joanna-Neural is not a Twilio voice/);
    expectAt(i, { line: 12, state: undefined });
  });

  it('accepts the documented Mandarin pairing (cmn-CN voice, cmn-Hans-CN recognition)', () => {
    const src = edit(BASE, 'machine:\n', 'speech:\n  zh-CN: { voice: Polly.Zhiyu-Neural, sayLanguage: cmn-CN, recognition: cmn-Hans-CN }\nmachine:\n');
    expect(parseFlowSource(FILE, src, impl).ok).toBe(true);
  });
});

describe('no menu traps', () => {
  it('rejects an input state with no route to a human at all', () => {
    // Removing root `on` (lines 13-14) moves gather: to 18 and its body to 19.
    const src = edit(BASE, '  on:\n    AGENT: agent\n', '');
    const i = issue(issuesOf(src), /without a route to a human: AGENT \(key 0\)/);
    expectAt(i, { line: 18, state: 'menu' });
  });

  it('rejects AGENT leading to a final state that is not a handoff', () => {
    const src = edit(BASE, '    AGENT: agent\n', '    AGENT: done\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/without a route to a human/);
    expectAt(issues[0]!, { line: 20, state: 'menu' });
  });

  it('rejects AGENT behind a guard', () => {
    const src = edit(BASE, '    AGENT: agent\n', '    AGENT: { guard: isLanguage, target: agent }\n');
    const i = issue(issuesOf(src), /without a route to a human/);
    expectAt(i, { line: 20, state: 'menu' });
  });

  it('accepts the human route declared in the state instead of machine.on', () => {
    const src = edit(edit(BASE, '  on:\n    AGENT: agent\n', ''), '        ONE: done\n', '        ONE: done\n        AGENT: agent\n');
    expect(parseFlowSource(FILE, src, impl).ok).toBe(true);
  });

  it('rejects an option on the human digit', () => {
    const src = edit(BASE, 'digit: "1", event: ONE', 'digit: "0", event: ONE');
    const i = issue(issuesOf(src), /key 0 is the route to a human/);
    expectAt(i, { line: 22, state: 'menu' });
  });

  it('rejects two options on the same key', () => {
    const src = edit(
      BASE,
      '          - { digit: "1", event: ONE, words: { zh-CN: [第一], en-US: [first] } }\n',
      '          - { digit: "1", event: ONE, words: { zh-CN: [第一], en-US: [first] } }\n          - { digit: "1", event: ONE, words: { zh-CN: [甲], en-US: [alpha] } }\n',
    );
    const i = issue(issuesOf(src), /two options use the same key/);
    expectAt(i, { line: 21, state: 'menu' }); // the options list starts on line 22
  });

  it('rejects an option whose event the state does not handle', () => {
    const src = edit(BASE, '        ONE: done\n', '');
    const i = issue(issuesOf(src), /option event ONE is not handled by this state/);
    expectAt(i, { line: 22, state: 'menu' });
  });

  it('rejects a voice input state that does not handle NO_INPUT', () => {
    const issues = issuesOf(edit(BASE, NO_INPUT_BLOCK, ''));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/does not handle NO_INPUT/);
    expectAt(issues[0]!, { line: 20, state: 'menu' });
  });

  it('rejects an input state that does not handle INVALID', () => {
    const issues = issuesOf(edit(BASE, INVALID_BLOCK, ''));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/does not handle INVALID/);
    expectAt(issues[0]!, { line: 20, state: 'menu' });
  });

  it('does not require NO_INPUT of an SMS flow (a text is never silent)', () => {
    const src = edit(edit(BASE, 'channel: voice\n', 'channel: sms\n'), NO_INPUT_BLOCK, '');
    expect(parseFlowSource(FILE, src, impl).ok).toBe(true);
  });

  it('rejects a last retry branch that does not go to a handoff', () => {
    const src = edit(BASE, INVALID_BLOCK, INVALID_BLOCK.replace('- agent', '- done'));
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/INVALID: after the retries the last \(unguarded\) branch must go to a handoff/);
    expectAt(issues[0]!, { line: 30, state: 'menu' });
  });

  it('rejects a last branch that is guarded, even towards a handoff', () => {
    const src = edit(BASE, INVALID_BLOCK, INVALID_BLOCK.replace('- agent', '- { guard: retriesLeft, target: agent, actions: countRetry }'));
    const i = issue(issuesOf(src), /INVALID: after the retries/);
    expectAt(i, { line: 30, state: 'menu' });
  });

  it('rejects an unguarded branch before the last one', () => {
    const src = edit(BASE, NO_INPUT_BLOCK, '        NO_INPUT:\n          - agent\n          - agent\n');
    const i = issue(issuesOf(src), /NO_INPUT: only the last branch may be unguarded/);
    expectAt(i, { line: 26, state: 'menu' });
  });

  it('rejects retriesLeft without countRetry (the limit would never be reached)', () => {
    const src = edit(BASE, INVALID_BLOCK, INVALID_BLOCK.replace(', actions: countRetry', ''));
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/retriesLeft must also run countRetry/);
    expectAt(issues[0]!, { line: 29, state: 'menu' });
  });
});

describe('final states', () => {
  it('rejects a final state with both handoff and hangup', () => {
    const src = edit(BASE, '      hangup: true\n', '      hangup: true\n      handoff: { queue: general }\n');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/exactly one of handoff or hangup/);
    expectAt(issues[0]!, { line: 31, state: 'done' });
  });

  it('rejects a final state with neither handoff nor hangup', () => {
    const issues = issuesOf(edit(BASE, '      hangup: true\n', ''));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/exactly one of handoff or hangup/);
    expectAt(issues[0]!, { line: 31, state: 'done' });
  });

  it('rejects hangup on a state that is not final', () => {
    const src = edit(BASE, '    done:\n      type: final\n', '    done:\n      on:\n        CONTINUE: agent\n');
    const i = issue(issuesOf(src), /handoff and hangup belong to final states/);
    expectAt(i, { line: 31, state: 'done' });
  });
});

describe('shipped flows', () => {
  const files = listFlowFiles(FLOWS_DIR);

  it('includes main.yaml and sms.yaml (and not the JSON schema)', () => {
    const names = files.map((f) => path.basename(f));
    expect(names).toContain('main.yaml');
    expect(names).toContain('sms.yaml');
    expect(names).not.toContain('flow.schema.json');
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s validates cleanly', (_name, file) => {
    const r = parseFlowSource(file, readFlowFile(file), flowImplementations());
    expect(r.ok ? [] : r.issues).toEqual([]);
    if (r.ok) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('flowHash', () => {
  const ok = (src: string, file = FILE) => {
    const r = parseFlowSource(file, src, flowImplementations());
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r;
  };

  it('is the hash parseFlowSource reports, and is deterministic', () => {
    const r = ok(BASE);
    expect(flowHash(r.flow)).toBe(r.hash);
    expect(ok(BASE).hash).toBe(r.hash);
  });

  it('does not change when keys are reordered and the file is reformatted', () => {
    const reordered = `# same flow, other order and style
title: "Test flow"
id: t
defaultLanguage: zh-CN
languages:
  - zh-CN
  - en-US
channel: voice
machine:
  states:
    agent: { handoff: { queue: general }, type: final }
    done:
      hangup: true
      say: { en-US: Goodbye., zh-CN: 再见。 }
      type: final
    menu:
      on:
        INVALID: [{ actions: countRetry, target: menu, guard: retriesLeft }, agent]
        NO_INPUT: [{ target: menu, guard: retriesLeft, actions: countRetry }, agent]
        ONE: done
      gather:
        options:
          - event: ONE
            words: { en-US: [first], zh-CN: [第一] }
            digit: "1"
      say: { en-US: Press one., zh-CN: 请按一。 }
  on: { AGENT: agent }
  initial: menu
human: { words: { en-US: [agent], zh-CN: [人工] }, digit: "0" }
`;
    expect(ok(reordered).hash).toBe(ok(BASE).hash);
    // ...and the same flow written as JSON.
    expect(ok(JSON.stringify(parseYaml(BASE)), 'flows/test.json').hash).toBe(ok(BASE).hash);
  });

  it('does not count the editor $schema line as a change', () => {
    expect(ok(`$schema: ./flow.schema.json\n${BASE}`).hash).toBe(ok(BASE).hash);
  });

  it('changes when a prompt changes', () => {
    expect(ok(edit(BASE, 'en-US: Goodbye.', 'en-US: Goodbye!')).hash).not.toBe(ok(BASE).hash);
  });

  it('changes when a default is written out with another value, but not with the default value', () => {
    // maxRetries defaults to 2: writing it out does not change the meaning.
    expect(ok(edit(BASE, 'channel: voice\n', 'channel: voice\nmaxRetries: 2\n')).hash).toBe(ok(BASE).hash);
    expect(ok(edit(BASE, 'channel: voice\n', 'channel: voice\nmaxRetries: 3\n')).hash).not.toBe(ok(BASE).hash);
  });
});
