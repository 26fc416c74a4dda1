import { Router } from 'express';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { twimlRoute } from '../twilio/webhook.ts';
import type { SmsService } from './service.ts';

const SORRY = '抱歉，系统暂时出现问题，请稍后再试或拨打12345。Sorry, something went wrong; please try again later or call 12345.';

/** Thin HTTP layer for texts; a failure still answers the sender. */
export function smsRouter(sms: SmsService, metrics: Metrics, log: Logger): Router {
  const r = Router();
  r.post(
    '/',
    twimlRoute(metrics, 'sms', (req) => sms.receive(req.twilio!, req.query), (req, err) => {
      log.error({ err, from: req.twilio?.From }, 'sms webhook failed');
      return sms.reply([SORRY]);
    }),
  );
  return r;
}
