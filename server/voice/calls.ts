import type { Kysely, Selectable } from 'kysely';
import { preparedQuery, type Database } from '../store/index.ts';
import type { CallsTable } from '../store/schema.ts';
import type { Period } from '../cases/measures.ts';
import { callers, callSummary, voiceRecord, type ContactSummary, type VoiceRecord } from './measures.ts';

export type CallRow = Selectable<CallsTable>;

/** The persisted machine reached a final state (a hand-off or a hang-up): nothing is left to answer. */
export function isFinished(snapshot: string): boolean {
  try {
    return (JSON.parse(snapshot) as { status?: string }).status === 'done';
  } catch {
    return false;
  }
}

export interface CallInput {
  at: string;
  state: string;
  event: string;
  digits?: string;
  speech?: string;
  confidence?: number;
}

/** How a call ended, for records and metrics. */
export type CallOutcome = 'answered_in_menu' | 'handed_off' | 'abandoned' | 'failed';

export interface NewCall {
  callSid: string;
  /** Outbound: a call we placed (the callback); left out of the service measures. */
  direction?: 'inbound' | 'outbound';
  flowId: string;
  flowVersion: number;
  snapshot: unknown;
  response: string;
  from: string;
  to: string;
  lang: string;
  state: string;
  entered: string[];
  handoffTarget?: string;
}

export interface CallAdvance {
  snapshot: unknown;
  response: string;
  lang: string;
  state: string;
  entered: string[];
  input?: CallInput;
  handoffTarget?: string;
}

/**
 * Appends items to a JSON array we wrote ourselves, without parsing it: the path and inputs
 * of a long call grow with every step, and parsing them again on each one is wasted work.
 */
export function appendJson(array: string, items: unknown[]): string {
  if (items.length === 0) return array;
  const more = JSON.stringify(items).slice(1, -1);
  return array === '[]' ? `[${more}]` : `${array.slice(0, -1)},${more}]`;
}

interface StepValues {
  sid: string;
  snapshot: string;
  step: number;
  next: number;
  response: string;
  lang: string;
  state: string;
  path: string;
  inputs: string;
  now: string;
  handoff: string | null;
}

/**
 * The voice capability's record of each call: the persisted machine snapshot with its
 * pinned flow version, the step counter that makes webhooks idempotent, and the
 * context an agent needs (path, inputs, language).
 */
export class Calls {
  // The two queries of every webhook step, compiled once.
  private readonly byId;
  private readonly applyStep;
  private readonly applyStepAndHandoff;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.byId = preparedQuery<'sid', CallRow>(db, (p) => db.selectFrom('calls').selectAll().where('call_sid', '=', p('sid')));
    const step = (handoff: boolean) =>
      preparedQuery<keyof StepValues, never>(db, (p) =>
        db
          .updateTable('calls')
          .set({
            snapshot: p('snapshot'),
            step: p('next'),
            last_step: p('step'),
            last_response: p('response'),
            lang: p('lang'),
            state: p('state'),
            path: p('path'),
            inputs: p('inputs'),
            updated_at: p('now'),
            ...(handoff ? { handoff_target: p('handoff'), handed_off_at: p('now') } : {}),
          })
          .where('call_sid', '=', p('sid'))
          .where('step', '=', p('step')),
      );
    this.applyStep = step(false);
    this.applyStepAndHandoff = step(true);
  }

  async get(callSid: string): Promise<CallRow | undefined> {
    return (await this.byId({ sid: callSid })).rows[0];
  }

  /** Returns false when another request created the call first (a retried first webhook). */
  async create(c: NewCall): Promise<boolean> {
    const now = this.now().toISOString();
    const res = await this.db
      .insertInto('calls')
      .values({
        call_sid: c.callSid,
        flow_id: c.flowId,
        flow_version: c.flowVersion,
        snapshot: JSON.stringify(c.snapshot),
        step: 1,
        last_step: 0,
        last_response: c.response,
        from_number: c.from,
        to_number: c.to,
        lang: c.lang,
        state: c.state,
        path: JSON.stringify(c.entered),
        inputs: '[]',
        status: 'active',
        outcome: null,
        handoff_target: c.handoffTarget ?? null,
        twilio_status: null,
        started_at: now,
        updated_at: now,
        handed_off_at: c.handoffTarget ? now : null,
        direction: c.direction ?? 'inbound',
        ended_at: null,
        duration_s: null,
      })
      .onConflict((oc) => oc.column('call_sid').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Apply step `step` if nobody else has (compare-and-set on the step counter). Returns
   * false when a concurrent duplicate of the same webhook won the race.
   */
  async advance(call: CallRow, step: number, a: CallAdvance): Promise<boolean> {
    const now = this.now().toISOString();
    const values: StepValues = {
      sid: call.call_sid,
      snapshot: JSON.stringify(a.snapshot),
      step,
      next: step + 1,
      response: a.response,
      lang: a.lang,
      state: a.state,
      path: appendJson(call.path, a.entered),
      inputs: a.input ? appendJson(call.inputs, [a.input]) : call.inputs,
      now,
      handoff: a.handoffTarget ?? null,
    };
    const res = await (a.handoffTarget && !call.handoff_target ? this.applyStepAndHandoff : this.applyStep)(values);
    return Number(res.numAffectedRows ?? 0) > 0;
  }

  /** Mark a hand-off that happened outside the flow (an error path). Best effort. */
  async markHandoff(callSid: string, target: string): Promise<void> {
    const now = this.now().toISOString();
    await this.db
      .updateTable('calls')
      .set({ handoff_target: target, handed_off_at: now, updated_at: now })
      .where('call_sid', '=', callSid)
      .where('handoff_target', 'is', null)
      .execute();
  }

  /** End the call once (`answered`: whether the menu had answered the caller before they left, asked only of a call that left the menu); returns the outcome if this request ended it, undefined if already ended or unknown. */
  async end(callSid: string, twilioStatus: string, durationS: number | undefined, answered: (call: CallRow) => Promise<boolean> = async () => false): Promise<{ outcome: CallOutcome; call: CallRow } | undefined> {
    const call = await this.get(callSid);
    if (!call || call.status !== 'active') return undefined;
    const outcome: CallOutcome = call.handoff_target
      ? 'handed_off'
      : ['failed', 'busy', 'no-answer'].includes(twilioStatus)
        ? 'failed'
        : isFinished(call.snapshot) || (await answered(call)) // a final state without a hand-off is a hang-up state; or the caller left after an answer
          ? 'answered_in_menu'
          : 'abandoned';
    const now = this.now().toISOString();
    const res = await this.db
      .updateTable('calls')
      .set({ status: 'ended', outcome, twilio_status: twilioStatus, ended_at: now, updated_at: now, duration_s: durationS ?? null })
      .where('call_sid', '=', callSid)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0 ? { outcome, call } : undefined;
  }

  /** The inbound calls of a period, for the service measures. */
  record(period: Period): Promise<VoiceRecord> {
    return voiceRecord(this.db, period);
  }

  /** A call as a supervisor reads it afterwards. */
  summary(sid: string): Promise<ContactSummary | undefined> {
    return callSummary(this.db, sid);
  }

  /** Who called in a period, and when. */
  callers(period: Period): Promise<Array<{ from: string; at: string }>> {
    return callers(this.db, period);
  }

  async activeCount(): Promise<number> {
    const r = await this.db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
