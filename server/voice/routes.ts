import { Router, type Request } from 'express';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import { twimlRoute } from '../twilio/webhook.ts';
import type { VoiceService } from './service.ts';

/**
 * Thin HTTP layer: signature already checked upstream, params normalised. Whatever goes
 * wrong inside, the caller gets valid TwiML with an apology and a human — never a 5xx.
 */
export function voiceRouter(voice: VoiceService, metrics: Metrics, log: Logger): Router {
  const r = Router();
  const failed = async (req: Request, err: unknown, route: string) => {
    log.error({ err, route, callSid: req.twilio?.CallSid }, 'voice webhook failed; caller sent to a human');
    return voice.apology(await voice.languageOf(req.twilio?.CallSid));
  };
  const handle = (route: string, fn: (req: Request) => Promise<string> | string) => twimlRoute(metrics, route, fn, failed);
  r.post('/', handle('voice', (req) => voice.answer(req.twilio!, req.query)));
  r.post('/status', handle('voice_status', (req) => voice.status(req.twilio!)));
  r.post('/wait', handle('voice_wait', (req) => voice.hold(req.twilio!, req.query)));
  r.post('/after-dial', handle('voice_after_dial', (req) => voice.afterDial(req.twilio!, req.query)));
  r.post('/fallback', handle('voice_fallback', async (req) => {
    const p = req.twilio!;
    log.warn({ callSid: p.CallSid, errorCode: p.ErrorCode, errorUrl: p.ErrorUrl }, 'Twilio used the fallback URL');
    return voice.apology(await voice.languageOf(p.CallSid));
  }));
  return r;
}
