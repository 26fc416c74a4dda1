import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { SendError, type ChannelSender } from './dispatcher.ts';
import { faxPdf, findCjkFont } from './fax.ts';
import type { Channel } from './outbox.ts';
import { twilioClient, type TwilioClient } from './twilio-client.ts';

/** A Twilio API failure: a 4xx other than 429 is Twilio refusing this very request, not worth retrying. */
function twilioError(err: unknown): SendError {
  const status = (err as { status?: number }).status;
  const code = (err as { code?: number }).code;
  return new SendError(`Twilio ${status ?? 'unreachable'}${code ? ` (${code})` : ''}: ${(err as Error).message}`, status !== undefined && status >= 400 && status < 500 && status !== 429);
}

/** An SMTP failure: a 5xx answer (no such mailbox) is final, a 4xx answer or a lost connection is not. */
function smtpError(err: unknown, what = 'SMTP'): SendError {
  const code = (err as { responseCode?: number }).responseCode;
  return new SendError(`${what} ${code ?? 'unreachable'}: ${(err as Error).message}`, code !== undefined && code >= 500);
}

/** The senders this configuration allows; a channel left out keeps its messages waiting, which start-up says. */
export function channelSenders(config: Config, log: Logger): Partial<Record<Channel, ChannelSender>> {
  const senders: Partial<Record<Channel, ChannelSender>> = {};
  const rest = twilioClient(config.accountSid, config.authToken, config.twilioApiUrl);
  if (config.smsFrom) senders.sms = smsViaTwilio(rest, config.smsFrom, `${config.publicUrl}/twilio/outbox/status`);
  if (config.voiceFrom) senders.voice = voiceViaTwilio(rest, config.voiceFrom, config.publicUrl);
  const mail = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
  if (mail) senders.email = emailViaSmtp(mail, config.mailFrom);
  if (mail && config.faxGateway) {
    const font = findCjkFont(config.faxFont);
    if (font) senders.fax = faxViaEmail(mail, config.mailFrom, config.faxGateway, font);
    else log.warn({ faxFont: config.faxFont }, 'no CJK font to set faxes in: install fonts-wqy-microhei (or fonts-noto-cjk), or set HOTLINE_FAX_FONT; faxes wait in the outbox');
  }
  for (const channel of ['sms', 'email'] as const) if (!senders[channel]) log.warn({ channel }, `no ${channel} channel configured (${channel === 'sms' ? 'TWILIO_SMS_FROM' : 'SMTP_URL'}); its messages wait in the outbox`);
  return senders;
}

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
        throw twilioError(err);
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
        throw twilioError(err);
      }
    },
  };
}

/** Mail through SMTP. */
export function emailViaSmtp(transport: Transporter, from: string): ChannelSender {
  return {
    async send(m) {
      try {
        const info = await transport.sendMail({ from, to: m.recipient, subject: m.subject ?? '', text: m.body, headers: { 'X-Hotline-Outbox': m.id } });
        return { providerId: info.messageId };
      } catch (err) {
        throw smtpError(err);
      }
    },
  };
}

/**
 * Fax through an email-to-fax gateway (Twilio no longer sends faxes): the message is rendered
 * to PDF and mailed to `<number>@<gateway>`, the digits of the fax number as the mailbox.
 */
export function faxViaEmail(transport: Transporter, from: string, gateway: string, font: string): ChannelSender {
  return {
    async send(m) {
      const pdf = await faxPdf(m, font);
      try {
        const info = await transport.sendMail({
          from,
          to: `${m.recipient.replace(/\D/g, '')}@${gateway}`,
          subject: m.subject ?? 'Hotline',
          text: m.subject ?? '',
          attachments: [{ filename: `${m.case_id ?? m.kind}.pdf`, content: pdf, contentType: 'application/pdf' }],
          headers: { 'X-Hotline-Outbox': m.id },
        });
        return { providerId: info.messageId };
      } catch (err) {
        throw smtpError(err, 'fax gateway');
      }
    },
  };
}
