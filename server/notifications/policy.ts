import type { CaseChange, CaseRow } from '../cases/service.ts';
import { CASE_STATES } from '../cases/lifecycle.ts';
import type { Department } from '../departments/service.ts';
import type { OutgoingMessage } from './outbox.ts';
import type { MessageKind, Templates } from './templates.ts';

/** What the policy needs to know beyond the change itself, read in the change's transaction. */
export interface PolicyContext {
  templates: Templates;
  /** The department the case is with, if any. */
  department?: Department;
  /** Who hears of supervision (督办): the supervisors' addresses. */
  supervisors: readonly string[];
  /** How long after the reply the callback call (回访) is placed; undefined: no callback calls. */
  callbackAfterMs?: number;
  now?: () => Date;
}

/** The step a deadline belongs to, as departments and supervisors read it. */
export const STEP_NAMES: Record<string, string> = { dispatch: '派单', accept: '签收', reply: '答复', callback: '回访' };
const URGENCY_NAMES: Record<string, string> = { normal: '普通', urgent: '紧急' };

/** A deadline as people read it: China time, to the minute. */
export function chinaTime(iso: string | null): string {
  if (!iso) return '';
  return new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

function values(c: CaseRow, d: Department | undefined, lang: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const en = lang.startsWith('en');
  return {
    case: c.id,
    pin: c.pin ?? '',
    type: c.type,
    category: c.category,
    urgency: en ? c.urgency : (URGENCY_NAMES[c.urgency] ?? c.urgency),
    district: c.district ?? '',
    address: c.address ?? '',
    callerName: c.caller_name ?? '',
    callerPhone: c.caller_phone,
    description: c.description,
    department: d?.name ?? c.department ?? '',
    due: chinaTime(c.due_at),
    state: CASE_STATES[c.state as keyof typeof CASE_STATES] ?? c.state,
    ...extra,
  };
}

/** A text to the caller, in their language. */
function toCaller(ctx: PolicyContext, kind: MessageKind, c: CaseRow, extra?: Record<string, string | undefined>): OutgoingMessage[] {
  if (!c.caller_phone) return []; // filed without a phone (an Open311 app): nothing to text
  const body = ctx.templates.sms(kind, c.lang, values(c, ctx.department, c.lang, extra));
  return body ? [{ kind, channel: 'sms', to: c.caller_phone, lang: c.lang, body, caseId: c.id }] : [];
}

/** Mail (or fax, by the department's setting) to the department, in Chinese: departments work in it. */
function toDepartment(ctx: PolicyContext, kind: MessageKind, c: CaseRow, extra?: Record<string, string | undefined>): OutgoingMessage[] {
  const d = ctx.department;
  const mail = ctx.templates.email(kind, 'zh-CN', values(c, d, 'zh-CN', extra));
  if (!d || !mail) return [];
  if (d.notifyBy === 'fax' && d.fax) return [{ kind, channel: 'fax', to: d.fax, lang: 'zh-CN', subject: mail.subject, body: mail.body, caseId: c.id }];
  return d.email ? [{ kind, channel: 'email', to: d.email, lang: 'zh-CN', subject: mail.subject, body: mail.body, caseId: c.id }] : [];
}

/** The callback call (回访) that asks the caller to rate the reply: placed through the outbox, run by flows/callback. */
function callback(ctx: PolicyContext, c: CaseRow): OutgoingMessage[] {
  if (ctx.callbackAfterMs === undefined || !c.caller_phone) return [];
  const notBefore = new Date((ctx.now ?? (() => new Date()))().getTime() + ctx.callbackAfterMs);
  return [{ kind: 'case.callback', channel: 'voice', to: c.caller_phone, lang: c.lang, body: `回访 ${c.id}`, caseId: c.id, notBefore }];
}

/**
 * The messages a change to a case causes: a pure function of the change, so what is sent
 * when is read and tested in one place.
 * - created: the case number to the caller;
 * - dispatched or re-dispatched: a notice to the caller, the case with its deadline to the department;
 * - replied: the result to the caller, and the callback call (回访) that asks for a rating;
 * - a deadline nearing or missed: the department is told;
 * - supervision (督办): the supervisors are told.
 */
export function messagesFor(change: CaseChange, ctx: PolicyContext): OutgoingMessage[] {
  const c = change.case;
  if (change.kind === 'created') return toCaller(ctx, 'case.created', c);
  if (change.kind === 'deadline') {
    const step = STEP_NAMES[change.miss.step] ?? change.miss.step;
    const due = chinaTime(change.miss.dueAt);
    return toDepartment(ctx, change.miss.kind === 'overdue' ? 'case.deadline.overdue' : 'case.deadline.warning', c, { step, due });
  }
  switch (change.event.type) {
    case 'DISPATCH':
    case 'REDISPATCH':
      return [...toCaller(ctx, 'case.dispatched', c), ...toDepartment(ctx, 'case.dispatched.department', c)];
    case 'REPLY':
      return [...toCaller(ctx, 'case.replied', c, { result: change.event.note?.trim() || (c.lang.startsWith('en') ? 'see the department’s answer' : '已办理') }), ...callback(ctx, c)];
    case 'SUPERVISE': {
      const mail = ctx.templates.email('case.supervised', 'zh-CN', values(c, ctx.department, 'zh-CN', { reason: change.event.reason }));
      return mail ? ctx.supervisors.map((to) => ({ kind: 'case.supervised', channel: 'email' as const, to, lang: 'zh-CN', subject: mail.subject, body: mail.body, caseId: c.id })) : [];
    }
    default:
      return [];
  }
}
