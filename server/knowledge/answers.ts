import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
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

  /** What the knowledge base answered in one call or conversation, in order. */
  forContact(callSid: string): Promise<Array<{ question: string; article_id: string | null; decision: string; at: string }>> {
    return this.db.selectFrom('knowledge_answers').select(['question', 'article_id', 'decision', 'at']).where('call_sid', '=', callSid).orderBy('at').execute();
  }

  /**
   * The questions of a period the knowledge base could not answer (nothing found, or only
   * offered with a rephrase or a hand-off), grouped as callers asked them: same words, ignoring
   * case, spaces and punctuation; shown as last asked. Most asked first. Counted in the store by
   * exact wording, then grouped here, so a month of answers is not read row by row.
   */
  async unansweredIn(period: { from: string; to: string }, limit = 20): Promise<Array<{ question: string; count: number; channels: Array<{ key: string; count: number }>; callSids: string[] }>> {
    const unanswered = () =>
      this.db
        .selectFrom('knowledge_answers')
        .where('at', '>=', period.from)
        .where('at', '<', period.to)
        .where((eb) => eb.or([eb('article_id', 'is', null), eb('decision', '!=', 'answer')]));
    const worded = await unanswered()
      .select(['question', 'channel', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('at').as('last')])
      .groupBy(['question', 'channel'])
      .execute();
    const groups = new Map<string, { question: string; last: string; count: number; channels: Map<string, number>; wordings: string[] }>();
    for (const r of worded) {
      const key = r.question.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
      if (!key) continue;
      const g = groups.get(key) ?? { question: r.question.trim(), last: '', count: 0, channels: new Map<string, number>(), wordings: [] as string[] };
      if (r.last > g.last) [g.question, g.last] = [r.question.trim(), r.last];
      g.count += Number(r.n);
      g.channels.set(r.channel, (g.channels.get(r.channel) ?? 0) + Number(r.n));
      g.wordings.push(r.question);
      groups.set(key, g);
    }
    const top = [...groups.values()].sort((a, b) => b.count - a.count || a.question.localeCompare(b.question)).slice(0, limit);
    // The newest 50 contacts behind each shown wording, in one query.
    const wordings = [...new Set(top.flatMap((g) => g.wordings))];
    const newest = wordings.length
      ? await this.db
          .selectFrom(
            unanswered()
              .where('question', 'in', wordings)
              .select(['question', 'call_sid', 'at', sql<number>`row_number() over (partition by question order by at desc)`.as('rank')])
              .as('a'),
          )
          .select(['question', 'call_sid', 'at'])
          .where('rank', '<=', 50)
          .execute()
      : [];
    const byWording = new Map<string, Array<{ sid: string; at: string }>>();
    for (const r of newest) byWording.set(r.question, [...(byWording.get(r.question) ?? []), { sid: r.call_sid, at: r.at }]);
    return top.map((g) => ({
      question: g.question,
      count: g.count,
      channels: [...g.channels].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)),
      callSids: [
        ...new Set(
          g.wordings
            .flatMap((w) => byWording.get(w) ?? [])
            .sort((a, b) => b.at.localeCompare(a.at))
            .map((x) => x.sid),
        ),
      ].slice(0, 50),
    }));
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
