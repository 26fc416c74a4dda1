import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import twilio from 'twilio';
import type { Database } from '../store/index.ts';
import type { Logger } from '../log.ts';
import type { CallEvents } from '../events.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { FlowRuntime, FlowTurn } from '../flows/runtime.ts';
import type { FlowVersions } from '../flows/versions.ts';
import { interpretInput, type CallerInput } from '../flows/input.ts';
import { answeredIn, type Language } from '../flows/schema.ts';
import type { TwilioParams } from '../twilio/webhook.ts';
import { splitSms } from './split.ts';

const { MessagingResponse } = twilio.twiml;

/** A text conversation ends after this much silence; the next text starts afresh. */
export const SMS_IDLE_MS = 30 * 60 * 1000;
const MAX_BODY = 1600;

// The keywords carriers and Twilio treat as opt-out / opt-in / help, plus the Chinese ones.
const STOP = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'optout', 'revoke', '退订', 'td', '取消订阅']);
const START = new Set(['start', 'unstop', 'yes', 'subscribe', '订阅', '恢复']);
const HELP = new Set(['help', 'info', '帮助']);

const TEXT = {
  stop: { 'zh-CN': '您已退订本热线短信，将不再收到回复。回复 START 可恢复。', 'en-US': 'You are unsubscribed from hotline texts and will receive no further replies. Reply START to resubscribe.' },
  start: { 'zh-CN': '您已恢复接收本热线短信。发送任意内容开始。', 'en-US': 'You are resubscribed to hotline texts. Send any message to begin.' },
  help: {
    'zh-CN': '这里是12345政务服务便民热线短信服务。回复菜单数字办理，回复“人工”转人工，回复 STOP 退订。也可拨打12345。',
    'en-US': 'This is the 12345 citizen service hotline by text. Reply with a menu number, AGENT for a person, STOP to unsubscribe. You can also call 12345.',
  },
} satisfies Record<string, Record<Language, string>>;

/** The language a text is written in, when it says: Han → Chinese, Latin letters → English. */
const langHint = (s: string): Language | undefined => (/\p{Script=Han}/u.test(s) ? 'zh-CN' : /[A-Za-z]/.test(s) ? 'en-US' : undefined);
const langOfText = (s: string): Language => langHint(s) ?? 'zh-CN';

/** "你好", "hi", "在吗" open a conversation; a question has some substance to search for. */
function looksLikeQuestion(body: string): boolean {
  const han = (body.match(/\p{Script=Han}/gu) ?? []).length;
  const words = (body.match(/[A-Za-z]+/g) ?? []).length;
  return han >= 4 || words >= 3;
}

export interface SmsDeps {
  db: Kysely<Database>;
  flows: FlowVersions;
  runtime: FlowRuntime;
  events: CallEvents;
  metrics: Metrics;
  log: Logger;
  defaultFlow: string;
  now?: () => number;
}

/**
 * The SMS channel: the same flow engine, a session per sender, replies as
 * `MessagingResponse`. Opt-out keywords are honoured before anything else.
 */
export class SmsService {
  private readonly now: () => number;

  constructor(private readonly d: SmsDeps) {
    this.now = d.now ?? Date.now;
  }

  reply(texts: string[]): string {
    const r = new MessagingResponse();
    for (const t of texts) for (const part of splitSms(t)) r.message(part);
    return r.toString();
  }

  async receive(p: TwilioParams, query: Record<string, unknown>): Promise<string> {
    const from = p.From ?? '';
    const to = p.To ?? '';
    const body = (p.Body ?? '').slice(0, MAX_BODY).trim();
    if (!from) return this.reply([]);
    const keyword = body.toLowerCase().replace(/[\s\p{P}]+/gu, '');
    const db = this.d.db;
    if (STOP.has(keyword)) {
      const already = await db.selectFrom('sms_opt_outs').select('phone').where('phone', '=', from).executeTakeFirst();
      if (already) return this.reply([]); // one confirmation is enough; carriers do the same
      await db.insertInto('sms_opt_outs').values({ phone: from, opted_out_at: new Date(this.now()).toISOString() }).onConflict((oc) => oc.column('phone').doNothing()).execute();
      await this.endSessions(from, to, 'opted_out');
      this.d.log.info({ from }, 'sms opt-out');
      return this.reply([TEXT.stop[langOfText(body)]]);
    }
    if (START.has(keyword)) {
      await db.deleteFrom('sms_opt_outs').where('phone', '=', from).execute();
      return this.reply([TEXT.start[langOfText(body)]]);
    }
    if (HELP.has(keyword)) return this.reply([TEXT.help[langOfText(body)]]);
    const optedOut = await db.selectFrom('sms_opt_outs').select('phone').where('phone', '=', from).executeTakeFirst();
    if (optedOut) return this.reply([]);

    if (p.MessageSid) {
      // Twilio retried a message we already answered, perhaps the one that ended the conversation.
      const answered = await db
        .selectFrom('sms_sessions')
        .select('last_response')
        .where('from_number', '=', from)
        .where('last_message_sid', '=', p.MessageSid)
        .executeTakeFirst();
      if (answered?.last_response) return answered.last_response;
    }
    const session = await this.activeSession(from, to);
    const input: CallerInput = /^[0-9*#]+$/.test(body) ? { digits: body } : { speech: body };
    const nowIso = new Date(this.now()).toISOString();
    if (!session) {
      const flowId = typeof query.flow === 'string' ? query.flow : this.d.defaultFlow;
      const v = await this.d.flows.live(flowId);
      if (v.definition.channel !== 'sms') throw new Error(`flow ${flowId} is a ${v.definition.channel} flow and cannot answer texts`);
      const id = randomUUID();
      const started = await this.d.runtime.start(v, { lang: langHint(body), caller: { sid: id, from, channel: 'sms' } });
      let turn = started;
      // A first text that already answers the first menu ("1", "人工", "查询…") is applied at once.
      const first = v.definition.machine.states[started.state];
      const firstEvent = first?.gather && body ? interpretInput(v.definition, first, input).type : 'NO_INPUT';
      if (!['INVALID', 'NO_INPUT'].includes(firstEvent) && (firstEvent !== 'SPEECH' || looksLikeQuestion(body))) {
        const answered = await this.d.runtime.answer(v, started.persisted, input);
        turn = { ...answered, entered: [...started.entered, ...answered.entered] };
      }
      const response = this.reply(turn.say);
      await db
        .insertInto('sms_sessions')
        .values({
          id,
          from_number: from,
          to_number: to,
          flow_id: v.flowId,
          flow_version: v.version,
          snapshot: JSON.stringify(turn.persisted),
          lang: turn.lang,
          state: turn.state,
          path: JSON.stringify(turn.entered),
          inputs: JSON.stringify(body ? [{ at: nowIso, body: body.slice(0, 500) }] : []),
          status: turn.end ? 'ended' : 'active',
          outcome: this.outcome(turn),
          last_message_sid: p.MessageSid ?? null,
          last_response: response,
          started_at: nowIso,
          updated_at: nowIso,
          ended_at: turn.end ? nowIso : null,
        })
        .execute();
      this.d.events.emit({ type: 'call.started', callSid: id, channel: 'sms', flowId: v.flowId, flowVersion: v.version, from, at: nowIso });
      this.afterTurn(id, turn, nowIso);
      return response;
    }
    const v = await this.d.flows.get(session.flow_id, session.flow_version);
    const turn = await this.d.runtime.answer(v, JSON.parse(session.snapshot), input);
    const response = this.reply(turn.say);
    await db
      .updateTable('sms_sessions')
      .set({
        snapshot: JSON.stringify(turn.persisted),
        lang: turn.lang,
        state: turn.state,
        path: JSON.stringify([...(JSON.parse(session.path) as string[]), ...turn.entered]),
        inputs: JSON.stringify([...(JSON.parse(session.inputs) as unknown[]), { at: nowIso, body: body.slice(0, 500), event: turn.event?.type }]),
        status: turn.end ? 'ended' : 'active',
        outcome: this.outcome(turn),
        last_message_sid: p.MessageSid ?? null,
        last_response: response,
        updated_at: nowIso,
        ended_at: turn.end ? nowIso : null,
      })
      .where('id', '=', session.id)
      .execute();
    this.afterTurn(session.id, turn, nowIso, !!v.definition.machine.states[session.state]?.private);
    return response;
  }

  private outcome(turn: FlowTurn): string | null {
    if (!turn.end) return null;
    return turn.end.handoff ? 'handed_off' : 'answered_in_menu';
  }

  /** `secret`: the answer was to a private state (a PIN): agents see that it came, not what it was. */
  private afterTurn(id: string, turn: FlowTurn, at: string, secret = false) {
    const input = turn.event && (secret ? { event: turn.event.type } : { event: turn.event.type, digits: turn.event.digits, speech: turn.event.speech });
    this.d.events.emit({ type: 'call.step', callSid: id, channel: 'sms', state: turn.state, entered: turn.entered, input, at });
    if (turn.end?.handoff) {
      const h = turn.end.handoff;
      this.d.events.emit({ type: 'call.handed_off', callSid: id, channel: 'sms', target: 'queue' in h ? `queue:${h.queue}` : `agent:${h.agent}`, at });
    }
    const outcome = this.outcome(turn);
    if (outcome) {
      this.d.metrics.callsTotal.inc({ channel: 'sms', outcome });
      this.d.events.emit({ type: 'call.ended', callSid: id, channel: 'sms', outcome, at });
    }
  }

  /** The sender's conversation, unless it has been idle too long (then it is closed as abandoned). */
  private async activeSession(from: string, to: string) {
    const s = await this.d.db
      .selectFrom('sms_sessions')
      .selectAll()
      .where('from_number', '=', from)
      .where('to_number', '=', to)
      .where('status', '=', 'active')
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (!s) return undefined;
    if (this.now() - Date.parse(s.updated_at) > SMS_IDLE_MS) {
      await this.closeQuiet(s);
      return undefined;
    }
    return s;
  }

  /**
   * Closes the conversations idle for more than 30 minutes: answered in the menu if it had
   * answered them, else abandoned; they end at their last exchange. Run every minute, so the
   * records (and the reports) do not wait for the sender to text again.
   */
  async closeIdle(limit = 500): Promise<number> {
    const cutoff = new Date(this.now() - SMS_IDLE_MS).toISOString();
    const quiet = await this.d.db.selectFrom('sms_sessions').selectAll().where('status', '=', 'active').where('updated_at', '<', cutoff).orderBy('updated_at').limit(limit).execute();
    let closed = 0;
    for (const s of quiet) if (await this.closeQuiet(s)) closed++;
    return closed;
  }

  /** A sender who went quiet after the menu had answered them was answered; otherwise they gave up. */
  private async closeQuiet(s: { id: string; flow_id: string; flow_version: number; path: string; updated_at: string }): Promise<boolean> {
    const outcome = (await this.wasAnswered(s)) ? 'answered_in_menu' : 'abandoned';
    const res = await this.d.db
      .updateTable('sms_sessions')
      .set({ status: 'ended', outcome, ended_at: s.updated_at, updated_at: new Date(this.now()).toISOString() })
      .where('id', '=', s.id)
      .where('status', '=', 'active')
      .where('updated_at', '=', s.updated_at)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false; // answered or closed meanwhile
    this.d.metrics.callsTotal.inc({ channel: 'sms', outcome });
    return true;
  }

  private async wasAnswered(s: { flow_id: string; flow_version: number; path: string }): Promise<boolean> {
    try {
      return answeredIn((await this.d.flows.get(s.flow_id, s.flow_version)).definition, JSON.parse(s.path) as string[]);
    } catch {
      return false;
    }
  }

  private async endSessions(from: string, to: string, outcome: string) {
    const nowIso = new Date(this.now()).toISOString();
    const res = await this.d.db
      .updateTable('sms_sessions')
      .set({ status: 'ended', outcome, ended_at: nowIso, updated_at: nowIso })
      .where('from_number', '=', from)
      .where('to_number', '=', to)
      .where('status', '=', 'active')
      .executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    if (n > 0) this.d.metrics.callsTotal.inc({ channel: 'sms', outcome }, n);
  }

  async activeCount(): Promise<number> {
    const cutoff = new Date(this.now() - SMS_IDLE_MS).toISOString();
    const r = await this.d.db
      .selectFrom('sms_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'active')
      .where('updated_at', '>', cutoff)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
