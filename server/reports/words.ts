import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Period, Scope } from '../cases/measures.ts';
import { chinaDate } from '../cases/calendar.ts';
import { chinaDays, periodOf } from './periods.ts';

const require = createRequire(import.meta.url);
let jieba: Jieba | undefined;
const HAN_WORD = /^\p{Script=Han}{2,8}$/u;

/** The words of a text worth counting as a topic: Chinese words of two or more characters, not stop words. */
export function topicWords(text: string, stop: ReadonlySet<string>): string[] {
  jieba ??= Jieba.withDict((require('@node-rs/jieba/dict') as { dict: Uint8Array }).dict);
  return [...new Set(jieba.cut(text, false).filter((w) => HAN_WORD.test(w) && !stop.has(w)))];
}

type Descriptions = (period: Period) => Promise<Array<{ department: string | null; description: string }>>;

/**
 * How many cases used each word, per China day and department. A closed day is counted once
 * and kept (report_word_days), so a monthly report and its baseline months read counts, not
 * descriptions; the day still open is counted afresh each time.
 */
export class WordCounts {
  private readonly stop: Set<string>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly descriptions: Descriptions,
    stopWords: readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stop = new Set(stopWords);
  }

  /** Counts the closed days of the period not counted yet; returns how many it counted. */
  async fill(period: Period): Promise<number> {
    const today = chinaDate(this.now());
    const days = chinaDays(period).filter((d) => d < today);
    if (days.length === 0) return 0;
    const done = new Set((await this.db.selectFrom('report_word_days_done').select('day').where('day', 'in', days).execute()).map((r) => r.day));
    let counted = 0;
    for (const day of days) {
      if (done.has(day)) continue;
      const counts = await this.countDay(day);
      await this.db.transaction().execute(async (trx) => {
        const claimed = await trx.insertInto('report_word_days_done').values({ day, at: new Date().toISOString() }).onConflict((oc) => oc.column('day').doNothing()).executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) return; // another process counted it
        const rows = [...counts].flatMap(([department, words]) => [...words].map(([word, n]) => ({ day, department, word, n })));
        for (let i = 0; i < rows.length; i += 500) await trx.insertInto('report_word_days').values(rows.slice(i, i + 500)).execute();
      });
      counted++;
    }
    return counted;
  }

  /** Cases per word in the period, for the scope. */
  async counts(period: Period, scope: Scope = {}): Promise<Map<string, number>> {
    if (scope.departments && scope.departments.length === 0) return new Map();
    await this.fill(period);
    const days = chinaDays(period);
    const today = chinaDate(this.now());
    const out = new Map<string, number>();
    const add = (word: string, n: number) => out.set(word, (out.get(word) ?? 0) + n);
    const closed = days.filter((d) => d < today);
    if (closed.length) {
      let q = this.db.selectFrom('report_word_days').select(['word', (eb) => eb.fn.sum<number>('n').as('n')]).where('day', '>=', closed[0]!).where('day', '<=', closed.at(-1)!);
      if (scope.departments) q = q.where('department', 'in', scope.departments);
      for (const r of await q.groupBy('word').execute()) add(r.word, Number(r.n));
    }
    if (days.includes(today)) {
      for (const [department, words] of await this.countDay(today)) if (!scope.departments || scope.departments.includes(department)) for (const [w, n] of words) add(w, n);
    }
    return out;
  }

  private async countDay(day: string): Promise<Map<string, Map<string, number>>> {
    const by = new Map<string, Map<string, number>>();
    for (const c of await this.descriptions(periodOf('day', day))) {
      const d = c.department ?? '';
      const words = by.get(d) ?? new Map<string, number>();
      for (const w of topicWords(c.description, this.stop)) words.set(w, (words.get(w) ?? 0) + 1);
      by.set(d, words);
    }
    return by;
  }
}
