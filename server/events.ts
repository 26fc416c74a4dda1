import { EventEmitter } from 'node:events';

/**
 * Call events as they happen, for the agent panel (Socket.IO, later) and metrics. In one
 * process this is an in-memory bus; past one machine the same events travel over Redis.
 */
export type CallEvent =
  | { type: 'call.started'; callSid: string; channel: 'voice' | 'sms'; flowId: string; flowVersion: number; from: string; at: string }
  | {
      type: 'call.step';
      callSid: string;
      channel: 'voice' | 'sms';
      state: string;
      entered: string[];
      input?: { digits?: string; speech?: string; confidence?: number; event: string };
      at: string;
    }
  | { type: 'call.handed_off'; callSid: string; channel: 'voice' | 'sms'; target: string; at: string }
  | { type: 'call.ended'; callSid: string; channel: 'voice' | 'sms'; outcome: string; durationS?: number; at: string };

export class CallEvents {
  private emitter = new EventEmitter();

  emit(event: CallEvent): void {
    this.emitter.emit('event', event);
  }

  on(listener: (event: CallEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
