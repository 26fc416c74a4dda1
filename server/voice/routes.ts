import { Router, type Request, type Response } from 'express';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { VoiceService } from './service.ts';

/**
 * Thin HTTP layer: signature already checked upstream, params normalised. Whatever goes
 * wrong inside, the caller gets valid TwiML with an apology and a human — never a 5xx.
 */
export function voiceRouter(voice: VoiceService, metrics: Metrics, log: Logger): Router {
  const r = Router();
  const handle = (route: string, fn: (req: Request) => Promise<string> | string) => async (req: Request, res: Response) => {
    const end = metrics.webhookSeconds.startTimer({ route });
    let twiml: string;
    try {
      twiml = await fn(req);
    } catch (err) {
      metrics.webhookErrors.inc({ route });
      log.error({ err, route, callSid: req.twilio?.CallSid }, 'voice webhook failed; caller sent to a human');
      const lang = await voice.languageOf(req.twilio?.CallSid).catch(() => undefined);
      twiml = voice.apology(lang);
    }
    res.status(200).type('text/xml').send(twiml);
    end({ status: '200' });
  };
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
