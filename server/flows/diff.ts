import type { FlowDefinition, FlowState } from './schema.ts';

/**
 * A readable diff of what a caller would notice: states added or removed, prompts
 * changed, options and transitions changed, flow settings changed. Lines start with
 * `+`, `-` or `~` so they read like a patch.
 */
export function diffFlows(a: FlowDefinition, b: FlowDefinition): string[] {
  const out: string[] = [];
  const settings = ['title', 'languages', 'defaultLanguage', 'speech', 'human', 'maxRetries', 'messages'] as const;
  for (const key of settings) {
    if (stable(a[key]) !== stable(b[key])) out.push(`~ ${key}: ${stable(a[key])} → ${stable(b[key])}`);
  }
  if (a.machine.initial !== b.machine.initial) out.push(`~ initial state: ${a.machine.initial} → ${b.machine.initial}`);
  diffOn(out, '(every state)', a.machine.on, b.machine.on);
  const sa = a.machine.states;
  const sb = b.machine.states;
  for (const name of Object.keys(sa)) if (!sb[name]) out.push(`- state ${name}`);
  for (const name of Object.keys(sb)) {
    if (!sa[name]) {
      out.push(`+ state ${name}${describe(sb[name]!)}`);
      continue;
    }
    diffState(out, name, sa[name]!, sb[name]!);
  }
  return out;
}

function describe(s: FlowState): string {
  if (s.handoff) return ` (hand-off to ${'queue' in s.handoff ? `queue ${s.handoff.queue}` : `agent ${s.handoff.agent}`})`;
  if (s.hangup) return ' (hang up)';
  if (s.gather) return ` (waits for ${s.gather.input.join('/')})`;
  return '';
}

function diffState(out: string[], name: string, a: FlowState, b: FlowState) {
  const langs = new Set([...Object.keys(a.say ?? {}), ...Object.keys(b.say ?? {})]) as Set<keyof NonNullable<FlowState['say']>>;
  for (const l of langs) {
    const x = a.say?.[l];
    const y = b.say?.[l];
    if (x === y) continue;
    if (x === undefined) out.push(`+ ${name} prompt [${l}]: "${y}"`);
    else if (y === undefined) out.push(`- ${name} prompt [${l}]: "${x}"`);
    else out.push(`~ ${name} prompt [${l}]: "${x}" → "${y}"`);
  }
  const oa = new Map((a.gather?.options ?? []).map((o) => [o.event, o]));
  const ob = new Map((b.gather?.options ?? []).map((o) => [o.event, o]));
  for (const [e, o] of oa) if (!ob.has(e)) out.push(`- ${name} option ${o.digit ?? ''} ${e}`);
  for (const [e, o] of ob) {
    const old = oa.get(e);
    if (!old) out.push(`+ ${name} option ${o.digit ?? ''} ${e}`);
    else if (stable(old) !== stable(o)) out.push(`~ ${name} option ${e}: ${stable(old)} → ${stable(o)}`);
  }
  const { options: _ga, ...restA } = a.gather ?? { options: [] };
  const { options: _gb, ...restB } = b.gather ?? { options: [] };
  if (stable(restA) !== stable(restB)) out.push(`~ ${name} input: ${stable(restA)} → ${stable(restB)}`);
  diffOn(out, name, a.on, b.on);
  for (const key of ['type', 'handoff', 'hangup', 'invoke', 'entry', 'exit'] as const) {
    if (stable(a[key]) !== stable(b[key])) out.push(`~ ${name} ${key}: ${stable(a[key])} → ${stable(b[key])}`);
  }
}

function diffOn(out: string[], where: string, a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) {
  const ea = a ?? {};
  const eb = b ?? {};
  for (const e of Object.keys(ea)) if (!(e in eb)) out.push(`- ${where} on ${e}: ${stable(ea[e])}`);
  for (const e of Object.keys(eb)) {
    if (!(e in ea)) out.push(`+ ${where} on ${e}: ${stable(eb[e])}`);
    else if (stable(ea[e]) !== stable(eb[e])) out.push(`~ ${where} on ${e}: ${stable(ea[e])} → ${stable(eb[e])}`);
  }
}

function stable(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}
