import type { Logger } from '../log.ts';
import type { TwilioChannel, TwilioRequest } from '../twilio/webhook.ts';
import type { VoiceService } from './service.ts';

/**
 * The voice webhooks (signature already checked, parameters normalised). Whatever goes wrong
 * inside, the caller gets valid TwiML with an apology and a human — never a 5xx.
 */
export function voiceWebhooks(voice: VoiceService, log: Logger): TwilioChannel {
  const apologise = async (req: TwilioRequest) => voice.apology(await voice.languageOf(req.params.CallSid));
  return {
    routes: {
      '/': { name: 'voice', answer: (req) => voice.answer(req.params, req.query) },
      '/status': { name: 'voice_status', answer: (req) => voice.status(req.params) },
      '/wait': { name: 'voice_wait', answer: (req) => voice.hold(req.params, req.query) },
      '/after-dial': { name: 'voice_after_dial', answer: (req) => voice.afterDial(req.params, req.query) },
      '/fallback': {
        name: 'voice_fallback',
        answer: (req) => {
          const p = req.params;
          log.warn({ callSid: p.CallSid, errorCode: p.ErrorCode, errorUrl: p.ErrorUrl }, 'Twilio used the fallback URL');
          return apologise(req);
        },
      },
    },
    failed: (req, err, route) => {
      log.error({ err, route, callSid: req.params.CallSid }, 'voice webhook failed; caller sent to a human');
      return apologise(req);
    },
    unreadable: () => voice.apology(),
  };
}
