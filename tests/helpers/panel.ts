import { io, type Socket } from 'socket.io-client';
import type { LiveEvent, PanelToServer, ServerToPanel } from '../../server/assist/protocol.ts';

export type PanelClient = Socket<ServerToPanel, PanelToServer>;

/** Signs in over HTTP and returns the session cookie (`hotline_session=…`). */
export async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** A panel's socket, as the browser opens it (the session cookie in the handshake), connected. */
export async function connectPanel(url: string, cookie?: string): Promise<PanelClient> {
  const socket: PanelClient = io(url, { transports: ['websocket'], extraHeaders: cookie ? { cookie } : {}, reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
  return socket;
}

/** Every call event a socket received, and a way to wait for one. */
export function recordCalls(socket: PanelClient) {
  const events: LiveEvent[] = [];
  const waiters: Array<{ match: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }> = [];
  socket.on('call', (e) => {
    events.push(e);
    for (const w of waiters.splice(0)) {
      if (w.match(e)) w.resolve(e);
      else waiters.push(w);
    }
  });
  return {
    events,
    next(match: (e: LiveEvent) => boolean, timeoutMs = 5000): Promise<LiveEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching call event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

/** Twilio's real-time transcription callback for one utterance, as Twilio posts it. */
export function transcriptParams(callSid: string, text: string, seq: number, track: 'inbound_track' | 'outbound_track' = 'inbound_track'): Record<string, string> {
  return {
    AccountSid: 'AC' + 'a'.repeat(32),
    CallSid: callSid,
    TranscriptionSid: 'GT' + 'b'.repeat(32),
    TranscriptionEvent: 'transcription-content',
    LanguageCode: 'zh-CN',
    Track: track,
    SequenceId: String(seq),
    Timestamp: new Date().toISOString(),
    Final: 'true',
    TranscriptionData: JSON.stringify({ transcript: text, confidence: 0.93 }),
  };
}
