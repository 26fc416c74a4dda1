import { EventEmitter } from 'node:events';

type Channel = 'voice' | 'sms';
interface Base {
  callSid: string;
  channel: Channel;
  at: string;
}

/**
 * Call events as they happen, for the agent panel and metrics. In one process this is an
 * in-memory bus; with REDIS_URL the events of every node reach every node (assist/redis.ts).
 */
export type CallEvent =
  | (Base & { type: 'call.started'; flowId: string; flowVersion: number; from: string; lang?: string })
  | (Base & {
      type: 'call.step';
      state: string;
      entered: string[];
      lang?: string;
      input?: { digits?: string; speech?: string; confidence?: number; event: string };
    })
  /** The knowledge base answered the caller (or found nothing: articleId null). */
  | (Base & { type: 'call.answer'; articleId: string | null; title?: string; score: number; confidence: number; decision: string; question: string })
  /** Waiting for a human: the queue's position and wait, as Twilio reports them to the hold music. */
  | (Base & { type: 'call.queued'; queue: string; position?: number; waitS?: number })
  | (Base & { type: 'call.handed_off'; target: string })
  /** An agent took the call over. */
  | (Base & { type: 'call.assigned'; agent: string })
  /** Live transcription: the caller's or the agent's words. */
  | (Base & { type: 'call.transcript'; text: string; track: 'caller' | 'agent'; final: boolean; confidence?: number })
  /** Articles suggested to the agent for the latest words. */
  | (Base & {
      type: 'call.suggestions';
      query: string;
      hits: Array<{ id: string; title: string; score: number; category: string; department: string; lang: string; voice: string }>;
    })
  | (Base & { type: 'call.ended'; outcome: string; durationS?: number });

export type CallEventType = CallEvent['type'];

export class CallEvents {
  private emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  /** An event that happened here. */
  emit(event: CallEvent): void {
    this.emitter.emit('event', event, true);
  }

  /** An event another node published (it reaches listeners, and is not published again). */
  deliverRemote(event: CallEvent): void {
    this.emitter.emit('event', event, false);
  }

  /** `local` is false for events that happened on another node. */
  on(listener: (event: CallEvent, local: boolean) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
