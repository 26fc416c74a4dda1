import type { Logger } from '../log.ts';
import type { TwilioChannel } from '../twilio/webhook.ts';
import type { SmsService } from './service.ts';

const SORRY = '抱歉，系统暂时出现问题，请稍后再试或拨打12345。Sorry, something went wrong; please try again later or call 12345.';

/** The SMS webhook; a failure still answers the sender. */
export function smsWebhooks(sms: SmsService, log: Logger): TwilioChannel {
  return {
    routes: { '/': { name: 'sms', answer: (req) => sms.receive(req.params, req.query) } },
    failed: (req, err) => {
      log.error({ err, from: req.params.From }, 'sms webhook failed');
      return sms.reply([SORRY]);
    },
    unreadable: () => sms.reply([]),
  };
}
