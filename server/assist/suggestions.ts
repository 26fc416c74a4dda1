import type { CallEvent, CallEvents } from '../events.ts';
import type { KnowledgeBase } from '../knowledge/service.ts';
import { TranscriptSuggester } from '../knowledge/suggest.ts';

interface LiveCall {
  /** The caller's finished sentences, oldest first (bounded). */
  said: string[];
  /** The sentence still being spoken (a partial result), if any. */
  saying: string;
  suggester: TranscriptSuggester;
  touched: number;
}

const KEEP_SENTENCES = 12;
const IDLE_MS = 3600_000;

/**
 * Suggests articles while the caller speaks: each caller transcript or speech answer searches
 * the latest words of the call, and the new articles go to the call's panel as an event.
 * Every node follows every call's words (remote events included), so whichever node the next
 * webhook reaches has the window; only the node that received the words searches.
 */
export class LiveSuggestions {
  private readonly calls = new Map<string, LiveCall>();
  /** Calls that ended: a transcript that arrives late does not bring them back. */
  private readonly ended = new Map<string, number>();
  private readonly off: () => void;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly events: CallEvents,
  ) {
    this.off = events.on((e, local) => this.see(e, local));
  }

  close(): void {
    this.off();
  }

  private call(sid: string, now: number): LiveCall {
    let c = this.calls.get(sid);
    if (!c) {
      if (this.calls.size > 1000) this.sweep(now);
      c = { said: [], saying: '', suggester: new TranscriptSuggester(this.kb), touched: now };
      this.calls.set(sid, c);
    }
    c.touched = now;
    return c;
  }

  private sweep(now: number): void {
    for (const [sid, c] of this.calls) if (now - c.touched > IDLE_MS) this.calls.delete(sid);
    for (const [sid, at] of this.ended) if (now - at > IDLE_MS) this.ended.delete(sid);
  }

  private see(e: CallEvent, local: boolean): void {
    const now = Date.now();
    let words: string | undefined;
    let final = true;
    if (e.type === 'call.transcript' && e.track === 'caller') {
      words = e.text;
      final = e.final;
    } else if (e.type === 'call.step' && e.input?.speech) words = e.input.speech;
    else if (e.type === 'call.suggestions' && !local) this.calls.get(e.callSid)?.suggester.markShown(e.hits.map((h) => h.id), now);
    else if (e.type === 'call.ended') {
      this.calls.delete(e.callSid);
      this.ended.set(e.callSid, now);
    }
    if (words === undefined || this.ended.has(e.callSid)) return;
    const c = this.call(e.callSid, now);
    if (final) {
      c.said.push(words);
      if (c.said.length > KEEP_SENTENCES) c.said.shift();
      c.saying = '';
    } else c.saying = words;
    if (!local) return;
    // The search runs after the current webhook has answered: a caller's turn never waits for the agent's suggestions.
    const window = [...c.said, c.saying].join(' ');
    setImmediate(() => this.suggest(e, c, window, words, now));
  }

  private suggest(e: CallEvent, c: LiveCall, window: string, words: string, now: number): void {
    const hits = c.suggester.suggest(window, now);
    if (hits.length === 0) return;
    this.events.emit({
      type: 'call.suggestions',
      callSid: e.callSid,
      channel: e.channel,
      query: words,
      hits: hits.map((h) => ({
        id: h.id,
        title: h.article.title,
        score: Math.round(h.score * 1000) / 1000,
        category: h.article.category,
        department: h.article.department,
        lang: h.article.lang,
        voice: h.article.voice,
      })),
      at: new Date(now).toISOString(),
    });
  }
}
