import { twilioClient } from './twilio-client.ts';
import type { Logger } from '../log.ts';

/** Sends a text to a caller at once (the flows' "send me this by SMS"); case messages go through the outbox. */
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

/** Sends at once through the real `twilio` REST client (optionally redirected, see twilioClient). */
export function twilioSmsSender(o: TwilioSmsOptions): SmsSender {
  const client = twilioClient(o.accountSid, o.authToken, o.apiBaseUrl);
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
