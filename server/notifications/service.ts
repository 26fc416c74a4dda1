import type { Cases } from '../cases/service.ts';
import type { Departments } from '../departments/service.ts';
import type { Logger } from '../log.ts';
import type { TwilioChannel, TwilioParams } from '../twilio/webhook.ts';
import type { SmsSender } from './sms-sender.ts';
import type { Outbox } from './outbox.ts';
import { messagesFor } from './policy.ts';
import type { Templates } from './templates.ts';

/**
 * Every change to a case queues the messages it causes in the change's own transaction (they
 * exist exactly when the change does), and wakes the sender once the change has committed.
 */
export function queueCaseMessages(d: {
  cases: Cases;
  outbox: Outbox;
  templates: Templates;
  departments: Departments;
  supervisors: readonly string[];
  callbackAfterMs?: number;
  wake: () => void;
}): void {
  d.cases.onChange(async (db, change) => {
    const department = change.case.department ? await d.departments.get(change.case.department, db) : undefined;
    await d.outbox.enqueue(messagesFor(change, { templates: d.templates, department, supervisors: d.supervisors, callbackAfterMs: d.callbackAfterMs }), db);
  });
  d.cases.onCommit(d.wake);
}

/**
 * The flows' "text me this" (an article the caller asked for) through the outbox like every
 * other message: queued at once, sent and retried by the sender. Without an SMS channel the
 * flow is told at once, so the caller hears that it could not be sent rather than a promise.
 */
export function outboxTexts(outbox: Outbox, d: { configured: boolean; wake: () => void }): SmsSender {
  return {
    async send(to, body) {
      if (!d.configured) return { ok: false, error: 'no SMS channel configured (TWILIO_SMS_FROM)' };
      const [id] = await outbox.enqueue([{ kind: 'knowledge.article', channel: 'sms', to, lang: /\p{Script=Han}/u.test(body) ? 'zh-CN' : 'en-US', body }]);
      d.wake();
      return { ok: true, sid: id };
    },
  };
}

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * Twilio's reports on what the outbox sent, signed like every webhook: texts' delivery
 * (`/status`), and the end of callback calls (`/call-status`: answered and completed is
 * delivered, busy, no answer or failed is failed), which the voice channel also records.
 */
export function outboxStatusWebhooks(outbox: Outbox, log: Logger, callEnded: (params: TwilioParams) => Promise<unknown>): TwilioChannel {
  return {
    routes: {
      '/call-status': {
        name: 'outbox-call-status',
        answer: async ({ params }) => {
          const status = params.CallStatus ?? '';
          const final = status === 'completed' ? 'delivered' : ['busy', 'no-answer', 'failed', 'canceled'].includes(status) ? 'failed' : undefined;
          if (params.CallSid && final && (await outbox.delivery(params.CallSid, final, final === 'failed' ? `call ${status}` : undefined))) log.info({ sid: params.CallSid, status: final }, 'callback call ended');
          await callEnded(params);
          return EMPTY;
        },
      },
      '/status': {
        name: 'outbox-status',
        answer: async ({ params }) => {
          const sid = params.MessageSid ?? params.SmsSid;
          const status = params.MessageStatus ?? params.SmsStatus;
          const final = status === 'delivered' ? 'delivered' : status === 'undelivered' || status === 'failed' ? 'failed' : undefined;
          if (sid && final) {
            const error = params.ErrorCode ? `Twilio error ${params.ErrorCode}` : undefined;
            if (await outbox.delivery(sid, final, error)) log.info({ sid, status: final, error }, 'delivery report');
          }
          return EMPTY;
        },
      },
    },
    failed: (_req, err) => {
      log.error({ err }, 'delivery report could not be recorded');
      return EMPTY;
    },
    unreadable: () => EMPTY,
  };
}
