import type { Transporter } from 'nodemailer';
import { SendError, type ChannelSender } from './dispatcher.ts';
import type { TwilioClient } from './twilio-client.ts';

/**
 * Texts through Twilio's Messages API, with a status callback so the delivery report updates
 * the outbox. A request Twilio refuses as such (4xx: a number that cannot receive texts, an
 * opted-out recipient) is not retried; a server error, a rate limit or a network failure is.
 */
export function smsViaTwilio(client: TwilioClient, from: string, statusCallback: string): ChannelSender {
  return {
    async send(m) {
      try {
        const msg = await client.messages.create({ to: m.recipient, from, body: m.body, statusCallback });
        return { providerId: msg.sid };
      } catch (err) {
        const status = (err as { status?: number }).status;
        const code = (err as { code?: number }).code;
        throw new SendError(`Twilio ${status ?? 'unreachable'}${code ? ` (${code})` : ''}: ${(err as Error).message}`, status !== undefined && status >= 400 && status < 500 && status !== 429);
      }
    },
  };
}

/**
 * Outbound calls through Twilio's Calls API: when the person answers, Twilio fetches `url`
 * (our voice webhook, naming the flow and the case) and the flow takes over.
 */
export function voiceViaTwilio(client: TwilioClient, from: string, publicUrl: string): ChannelSender {
  return {
    async send(m) {
      const url = `${publicUrl}/twilio/voice?flow=callback&case=${encodeURIComponent(m.case_id ?? '')}`;
      try {
        const call = await client.calls.create({ to: m.recipient, from, url, statusCallback: `${publicUrl}/twilio/outbox/call-status` });
        return { providerId: call.sid };
      } catch (err) {
        const status = (err as { status?: number }).status;
        throw new SendError(`Twilio ${status ?? 'unreachable'}: ${(err as Error).message}`, status !== undefined && status >= 400 && status < 500 && status !== 429);
      }
    },
  };
}

/** Mail through SMTP. A 5xx answer (no such mailbox) is final; a 4xx answer or a lost connection is retried. */
export function emailViaSmtp(transport: Transporter, from: string): ChannelSender {
  return {
    async send(m) {
      try {
        const info = await transport.sendMail({ from, to: m.recipient, subject: m.subject ?? '', text: m.body, headers: { 'X-Hotline-Outbox': m.id } });
        return { providerId: info.messageId };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        throw new SendError(`SMTP ${code ?? 'unreachable'}: ${(err as Error).message}`, code !== undefined && code >= 500);
      }
    },
  };
}
