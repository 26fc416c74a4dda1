import type { Logger } from './log.ts';
import { defaultImplementations, type Implementations } from './flows/implementations.ts';
import { knowledgeImplementations } from './knowledge/actors.ts';
import { caseImplementations, type PinGuard } from './cases/actors.ts';
import type { Cases } from './cases/service.ts';
import type { Departments } from './departments/service.ts';
import type { KnowledgeBase } from './knowledge/service.ts';
import type { KnowledgeAnswers } from './knowledge/answers.ts';
import type { SmsSender } from './notifications/sms-sender.ts';

export interface FlowDeps {
  kb: KnowledgeBase;
  answers: KnowledgeAnswers;
  sms: SmsSender;
  cases: Cases;
  departments: Departments;
  /** Limits PIN guesses for a case across calls and texts. */
  pins?: PinGuard;
  log: Logger;
}

/** Stands in for the capabilities when only the names matter (validating a flow file). */
const notWired = new Proxy({} as FlowDeps, {
  get(_t, prop) {
    throw new Error(`flow implementations used without ${String(prop)}: only validation may build them without capabilities`);
  },
});

/**
 * Every action, guard and actor a flow may name: the flow engine's own and those the
 * capabilities contribute. The server binds real capabilities; validation needs only names.
 */
export function flowImplementations(deps?: FlowDeps): Implementations {
  const d = deps ?? notWired;
  const knowledge = knowledgeImplementations(d);
  const cases = caseImplementations(d);
  return defaultImplementations({
    actions: { ...knowledge.actions, ...cases.actions },
    guards: { ...knowledge.guards, ...cases.guards },
    actors: { ...knowledge.actors, ...cases.actors },
  });
}
