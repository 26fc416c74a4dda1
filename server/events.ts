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
  /** `unansweredBy`: back in the queue because the agent who took the call over did not answer. */
  | (Base & { type: 'call.handed_off'; target: string; unansweredBy?: string })
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

type Listener = (event: CallEvent, local: boolean) => void;

export class CallEvents {
  private listeners: Listener[] = [];

  /** Told when a listener throws; the others still get the event. */
  constructor(private readonly failed: (err: unknown, event: CallEvent) => void = () => undefined) {}

  /** An event that happened here. */
  emit(event: CallEvent): void {
    this.deliver(event, true);
  }

  /** An event another node published (it reaches listeners, and is not published again). */
  deliverRemote(event: CallEvent): void {
    this.deliver(event, false);
  }

  private deliver(event: CallEvent, local: boolean): void {
    for (const l of this.listeners) {
      try {
        l(event, local);
      } catch (err) {
        this.failed(err, event);
      }
    }
  }

  /** `local` is false for events that happened on another node. */
  on(listener: Listener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }
}
