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
