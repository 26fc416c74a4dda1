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
  constructor(private readonly db: Kysely<Database>) {}

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
  }
}
