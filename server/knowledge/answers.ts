import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface AnswerRecord {
  callSid: string;
  channel: 'voice' | 'sms' | 'web';
  question: string;
  articleId: string | null;
  score: number;
  confidence: number;
  decision: string;
  lang: string;
}

/** Every answer the knowledge base gave, with the call it was given in (for reports and editors). */
export class KnowledgeAnswers {
  private readonly listeners: Array<(a: AnswerRecord) => void> = [];

  constructor(private readonly db: Kysely<Database>) {}

  /** Told of every answer once it is recorded (the agent panel shows them live). */
  onRecord(listener: (a: AnswerRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Questions the knowledge base could not answer, newest first: what editors should write next. */
  async unanswered(limit: number): Promise<Array<{ question: string; channel: string; lang: string; decision: string; at: string }>> {
    return this.db
      .selectFrom('knowledge_answers')
      .select(['question', 'channel', 'lang', 'decision', 'at'])
      .where((eb) => eb.or([eb('article_id', 'is', null), eb('decision', '!=', 'answer')]))
      .orderBy('at', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * The questions of a period the knowledge base could not answer (nothing found, or only
   * offered with a rephrase or a hand-off), grouped as callers asked them: same words, ignoring
   * case, spaces and punctuation. Most asked first.
   */
  async unansweredIn(period: { from: string; to: string }, limit = 20): Promise<Array<{ question: string; count: number; channels: Array<{ key: string; count: number }>; callSids: string[] }>> {
    const rows = await this.db
      .selectFrom('knowledge_answers')
      .select(['question', 'channel', 'call_sid', 'at'])
      .where('at', '>=', period.from)
      .where('at', '<', period.to)
      .where((eb) => eb.or([eb('article_id', 'is', null), eb('decision', '!=', 'answer')]))
      .orderBy('at', 'desc')
      .execute();
    const groups = new Map<string, { question: string; count: number; channels: Map<string, number>; callSids: string[] }>();
    for (const r of rows) {
      const key = r.question.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
      if (!key) continue;
      const g = groups.get(key) ?? { question: r.question.trim(), count: 0, channels: new Map<string, number>(), callSids: [] as string[] };
      g.count++;
      g.channels.set(r.channel, (g.channels.get(r.channel) ?? 0) + 1);
      if (g.callSids.length < 50 && !g.callSids.includes(r.call_sid)) g.callSids.push(r.call_sid);
      groups.set(key, g);
    }
    return [...groups.values()]
      .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question))
      .slice(0, limit)
      .map((g) => ({ ...g, channels: [...g.channels].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count) }));
  }

  async record(a: AnswerRecord): Promise<void> {
    await this.db
      .insertInto('knowledge_answers')
      .values({
        id: randomUUID(),
        call_sid: a.callSid,
        channel: a.channel,
        question: a.question.slice(0, 500),
        article_id: a.articleId,
        score: a.score,
        confidence: a.confidence,
        decision: a.decision,
        lang: a.lang,
        at: new Date().toISOString(),
      })
      .execute();
    for (const l of this.listeners) l(a);
  }
}
