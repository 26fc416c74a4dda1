import { assign, fromPromise } from 'xstate';
import type { Logger } from '../log.ts';
import type { ActorInput, FlowContext, FlowEvent, Implementations } from '../flows/implementations.ts';
import type { Language } from '../flows/schema.ts';
import type { SmsSender } from '../notifications/sms-sender.ts';
import { smsText, type Article } from './article.ts';
import type { KnowledgeAnswers } from './answers.ts';
import { decide, type KnowledgeBase } from './service.ts';


export interface AnswerOutput {
  decision: 'answer' | 'rephrase' | 'human';
  confidence: number;
  ids: string[];
  /** What the caller hears or reads for each article, in the call's language where the article has it. */
  texts: string[];
}

const ZH_ONLY = 'I found an answer, but it is available in Chinese only.';

function textFor(kb: KnowledgeBase, a: Article, lang: Language, channel: 'voice' | 'sms'): string {
  const pick = (x: Article) => (channel === 'sms' ? smsText(x) : x.voice);
  if (lang === 'zh-CN' || a.lang === lang) return pick(a);
  const en = kb.englishFor(a);
  return en ? pick(en) : channel === 'sms' ? `${ZH_ONLY} ${pick(a)}` : ZH_ONLY;
}

const outputOf = (event: FlowEvent) => event.output as AnswerOutput | undefined;
const list = (s: string | undefined): string[] => {
  try {
    return s ? (JSON.parse(s) as string[]) : [];
  } catch {
    return [];
  }
};

/**
 * What flows may name to use the knowledge base: look up the caller's question, step to the
 * next answer, text the answer to the caller. Bound into the flows' `setup()` by the
 * composition root.
 */
export function knowledgeImplementations(d: { kb: KnowledgeBase; answers: KnowledgeAnswers; sms: SmsSender; log: Logger }): Partial<Implementations> {
  return {
    actors: {
      knowledgeAnswer: fromPromise<AnswerOutput, ActorInput>(async ({ input }) => {
        const key = String(input.params.from ?? 'question');
        const question = input.data[key] ?? '';
        const channel = input.caller?.channel ?? 'voice';
        const result = d.kb.search(question, { limit: 3, lang: input.lang });
        const decision = decide(result);
        const hits = result.hits.filter((h, i) => i === 0 || h.score >= result.hits[0]!.score * 0.35);
        await d.answers
          .record({
            callSid: input.caller?.sid ?? 'unknown',
            channel,
            question,
            articleId: hits[0]?.id ?? null,
            score: hits[0]?.score ?? 0,
            confidence: result.confidence,
            decision,
            lang: input.lang,
          })
          .catch((err: unknown) => d.log.error({ err }, 'knowledge answer not recorded'));
        return { decision, confidence: result.confidence, ids: hits.map((h) => h.id), texts: hits.map((h) => textFor(d.kb, h.article, input.lang, channel)) };
      }),
      sendAnswerSms: fromPromise<{ ok: boolean }, ActorInput>(async ({ input }) => {
        const id = input.data.articleId;
        const article = id ? d.kb.get(id) : undefined;
        const to = input.caller?.from;
        if (!article || !to) return { ok: false };
        const r = await d.sms.send(to, `${textFor(d.kb, article, input.lang, 'sms')}【${article.title}】`);
        return { ok: r.ok };
      }),
    },
    actions: {
      keepAnswer: assign(({ context, event }: { context: FlowContext; event: FlowEvent }) => {
        const out = outputOf(event);
        if (!out) return {};
        return {
          data: {
            ...context.data,
            answer: out.texts[0] ?? '',
            articleId: out.ids[0] ?? '',
            answers: JSON.stringify(out.texts),
            answerIds: JSON.stringify(out.ids),
            answerIndex: '0',
          },
        };
      }),
      nextAnswer: assign(({ context }: { context: FlowContext }) => {
        const i = Number(context.data.answerIndex ?? '0') + 1;
        const texts = list(context.data.answers);
        const ids = list(context.data.answerIds);
        if (i >= texts.length) return {};
        return { data: { ...context.data, answer: texts[i]!, articleId: ids[i] ?? '', answerIndex: String(i) } };
      }),
    },
    guards: {
      answerIs: ({ event }, params) => outputOf(event)?.decision === params?.decision,
      hasNextAnswer: ({ context }) => Number(context.data.answerIndex ?? '0') + 1 < list(context.data.answers).length,
      smsSent: ({ event }) => (event.output as { ok?: boolean } | undefined)?.ok === true,
    },
  };
}
