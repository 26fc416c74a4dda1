import type { KnowledgeBase, SearchHit } from './service.ts';

export interface SuggestOptions {
  /** How much of the transcript is searched (characters from the end). */
  windowChars?: number;
  /** The latest part, searched again and weighed more: what the caller is saying now. */
  recentChars?: number;
  /** An article suggested once is not suggested again for this long. */
  cooldownMs?: number;
  /** Below this confidence nothing is suggested (the panel stays quiet rather than guess). */
  minConfidence?: number;
  limit?: number;
}

/** The end of a text, cut at a character boundary (never half a surrogate pair). */
function tail(text: string, chars: number): string {
  const cps = Array.from(text);
  return cps.slice(Math.max(0, cps.length - chars)).join('');
}

/**
 * Suggestions for one live call: searches a sliding window of the transcript (the latest
 * words weigh most), and does not repeat an article it suggested moments ago.
 */
export class TranscriptSuggester {
  private readonly shown = new Map<string, number>();
  private readonly o: Required<SuggestOptions>;

  constructor(
    private readonly kb: KnowledgeBase,
    opts: SuggestOptions = {},
  ) {
    this.o = { windowChars: 80, recentChars: 30, cooldownMs: 120_000, minConfidence: 0.25, limit: 3, ...opts };
  }

  /** Articles another node suggested for this call count as shown here too. */
  markShown(ids: string[], now = Date.now()): void {
    for (const id of ids) this.shown.set(id, now);
  }

  suggest(transcript: string, now = Date.now()): SearchHit[] {
    const text = transcript.replace(/\s+/g, ' ').trim();
    if (!text) return [];
    const wide = this.kb.search(tail(text, this.o.windowChars), { limit: 8 });
    const recent = this.kb.search(tail(text, this.o.recentChars), { limit: 8 });
    const combined = new Map<string, SearchHit>();
    const add = (hits: SearchHit[], weight: number, confidence: number) => {
      if (confidence < this.o.minConfidence) return;
      for (const h of hits) {
        const prev = combined.get(h.id);
        combined.set(h.id, { ...h, score: (prev?.score ?? 0) + h.score * weight });
      }
    };
    add(wide.hits, 1, wide.confidence);
    add(recent.hits, 1.5, recent.confidence);
    const fresh = [...combined.values()]
      .sort((a, b) => b.score - a.score)
      .filter((h) => now - (this.shown.get(h.id) ?? -Infinity) >= this.o.cooldownMs)
      .slice(0, this.o.limit);
    for (const h of fresh) this.shown.set(h.id, now);
    return fresh;
  }
}
