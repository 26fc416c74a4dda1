import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ArticleFeedback {
  articleId: string;
  helpful: number;
  unhelpful: number;
  /** The latest words an agent found it did not fit, for the editor to read. */
  misfits: string[];
}

/** Agents' verdicts on suggested articles: editors see which ones help. */
export class SuggestionFeedback {
  constructor(private readonly db: Kysely<Database>) {}

  async record(f: { callSid: string; articleId: string; helpful: boolean; query: string; username: string }): Promise<void> {
    await this.db
      .insertInto('suggestion_feedback')
      .values({ id: randomUUID(), call_sid: f.callSid, article_id: f.articleId, helpful: f.helpful ? 1 : 0, query: f.query.slice(0, 500), username: f.username, at: new Date().toISOString() })
      .execute();
  }

  /** Per article, the least helpful first. */
  async byArticle(since: string): Promise<ArticleFeedback[]> {
    const rows = await this.db.selectFrom('suggestion_feedback').select(['article_id', 'helpful', 'query']).where('at', '>=', since).orderBy('at', 'desc').execute();
    const by = new Map<string, ArticleFeedback>();
    for (const r of rows) {
      const f = by.get(r.article_id) ?? { articleId: r.article_id, helpful: 0, unhelpful: 0, misfits: [] };
      if (r.helpful) f.helpful++;
      else {
        f.unhelpful++;
        if (f.misfits.length < 5 && r.query) f.misfits.push(r.query);
      }
      by.set(r.article_id, f);
    }
    return [...by.values()].sort((a, b) => b.unhelpful - b.helpful - (a.unhelpful - a.helpful));
  }
}
