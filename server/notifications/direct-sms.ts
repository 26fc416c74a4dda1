import twilio from 'twilio';
import type { Logger } from '../log.ts';

/** Sends a text to a caller. The durable outbox of the notifications capability replaces the direct send. */
export interface SmsSender {
  send(to: string, body: string): Promise<{ sid?: string; ok: boolean; error?: string }>;
}

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  from?: string;
  /** Where the REST API is (default Twilio's); tests point it at a loopback stand-in. */
  apiBaseUrl?: string;
  log: Logger;
}

/** The real `twilio` REST client, optionally redirected to another base URL. */
export function twilioSmsSender(o: TwilioSmsOptions): SmsSender {
  const RequestClient = twilio.RequestClient;
  let httpClient: InstanceType<typeof RequestClient> | undefined;
  if (o.apiBaseUrl) {
    const base = o.apiBaseUrl.replace(/\/+$/, '');
    class Redirected extends RequestClient {
      override request<T>(opts: Parameters<InstanceType<typeof RequestClient>['request']>[0]) {
        return super.request<T>({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, base) } as never);
      }
    }
    httpClient = new Redirected();
  }
  const client = twilio(o.accountSid, o.authToken, { httpClient });
  return {
    async send(to, body) {
      if (!o.from) {
        o.log.warn({ to }, 'no TWILIO_SMS_FROM configured; text not sent');
        return { ok: false, error: 'no sender number configured (TWILIO_SMS_FROM)' };
      }
      try {
        const msg = await client.messages.create({ to, from: o.from, body });
        o.log.info({ to, sid: msg.sid }, 'text sent');
        return { ok: true, sid: msg.sid };
      } catch (err) {
        o.log.error({ err, to }, 'text could not be sent');
        return { ok: false, error: (err as Error).message };
      }
    },
  };
}
