import type { Logger } from '../log.ts';
import type { CallEvents } from '../events.ts';
import { SID_RE, type TwilioChannel } from '../twilio/webhook.ts';
import { renderEmpty } from '../voice/twiml.ts';


/** What Twilio posts for real-time transcription: the words are JSON in TranscriptionData. */
function wordsOf(data: string | undefined): { text: string; confidence?: number } | undefined {
  if (!data) return undefined;
  try {
    const d = JSON.parse(data) as { transcript?: unknown; confidence?: unknown };
    if (typeof d.transcript !== 'string' || !d.transcript.trim()) return undefined;
    return { text: d.transcript.trim().slice(0, 2000), confidence: typeof d.confidence === 'number' ? d.confidence : undefined };
  } catch {
    return undefined;
  }
}

/**
 * POST /twilio/transcription (signed like every webhook): the live transcript of a call
 * heading for a human, as events for its panel. Twilio only needs a 200; the suggestions the
 * words cause are made after the answer is on its way (LiveSuggestions defers its search).
 */
export function transcriptionWebhooks(events: CallEvents, log: Logger): TwilioChannel {
  return {
    routes: {
      '/': {
        name: 'transcription',
        answer: (req) => {
          const p = req.params;
          if (p.TranscriptionEvent === 'transcription-error') log.warn({ callSid: p.CallSid, error: p.TranscriptionError, code: p.TranscriptionErrorCode }, 'real-time transcription failed');
          if (p.TranscriptionEvent !== 'transcription-content' || !p.CallSid || !SID_RE.test(p.CallSid)) return renderEmpty();
          const words = wordsOf(p.TranscriptionData);
          if (!words) return renderEmpty();
          const event = {
            type: 'call.transcript' as const,
            callSid: p.CallSid,
            channel: 'voice' as const,
            text: words.text,
            confidence: words.confidence,
            track: p.Track === 'outbound_track' ? ('agent' as const) : ('caller' as const),
            final: p.Final !== 'false',
            at: new Date().toISOString(),
          };
          events.emit(event);
          return renderEmpty();
        },
      },
    },
    failed: (req, err) => {
      log.error({ err, callSid: req.params.CallSid }, 'transcription webhook failed');
      return renderEmpty();
    },
    unreadable: () => renderEmpty(),
  };
}
