import { assign, fromPromise } from 'xstate';
import type { Departments } from '../departments/service.ts';
import type { ActorInput, FlowContext, FlowEvent, Implementations } from '../flows/implementations.ts';
import type { Language } from '../flows/schema.ts';
import type { Logger } from '../log.ts';
import { IllegalMove, RATINGS, type Rating } from './lifecycle.ts';
import { isCaseNumber } from './number.ts';
import { CaseNotFound, type CaseRow, type Cases } from './service.ts';


/**
 * found: the status is told; pin: the case exists but was filed from another number, so its
 * PIN is asked; typo: the check digit does not hold; notFound: no such case, or a wrong PIN
 * (the two are answered alike, so guessing learns nothing).
 */
export interface CaseStatusOutput {
  result: 'found' | 'pin' | 'typo' | 'notFound';
  text: string;
}

const STATE_TEXT: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  received: { 'zh-CN': '已受理，正在派单', 'en-US': 'has been received and is being assigned' },
  dispatched: { 'zh-CN': '已派至{department}', 'en-US': 'has gone to {department}' },
  returned: { 'zh-CN': '正在重新派单', 'en-US': 'is being passed to the right department' },
  accepted: { 'zh-CN': '{department}已签收', 'en-US': 'has been accepted by {department}' },
  in_progress: { 'zh-CN': '{department}正在办理', 'en-US': 'is being handled by {department}' },
  replied: { 'zh-CN': '{department}已答复，我们将回访您', 'en-US': 'has been answered by {department}; we will follow up with you' },
  closed: { 'zh-CN': '已办结', 'en-US': 'is closed' },
  merged: { 'zh-CN': '已与同一事项的工单合并办理', 'en-US': 'is handled together with an earlier case about the same matter' },
};

/** A date as it is read out: 11月25日 / 25 November (China time). */
function spokenDate(iso: string, lang: Language): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3600_000);
  if (lang === 'en-US') return `${d.getUTCDate()} ${d.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })}`;
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** One sentence on where a case stands, read out by voice or sent by SMS. */
export function statusSentence(c: CaseRow, department: string | undefined, lang: Language): string {
  const en = lang === 'en-US';
  const state = (STATE_TEXT[c.state]?.[lang] ?? c.state).replace('{department}', department ?? (en ? 'the department' : '承办单位'));
  // Digits one by one, so text-to-speech reads a number, not an amount.
  const spelled = c.id.split('').join(' ');
  const expected = c.due_step === 'reply' && c.due_at ? (en ? `, and is expected to be answered by ${spokenDate(c.due_at, lang)}` : `，预计${spokenDate(c.due_at, lang)}前答复`) : '';
  return en ? `Case ${spelled} ${state}${expected}.` : `工单 ${spelled} ${state}${expected}。`;
}

const outputOf = (event: FlowEvent) => event.output as CaseStatusOutput | undefined;

/** rated: the rating is recorded (and the case closed, or reopened on 不满意); already: this round was rated before. */
export interface RatingOutput {
  result: 'rated' | 'already';
}
const CASE_NUMBER_IN_TEXT = /(?<!\d)(\d{11,14})(?!\d)/;
const RATING_IN_TEXT = /(?<!\d)(\d{11,14})\D{1,6}([123])(?!\d)/;

/**
 * What flows may name to tell a caller where a case stands: the look-up (by the number keyed
 * in or texted; a case filed from another number needs its PIN), and the pieces to pick a
 * number out of a text like "查询 26112400015".
 */
/** Wrong PINs for one case, counted in the store: after a few in a short while the case answers like one that does not exist. */
export interface PinGuard {
  retryAfter(key: string, from: string): Promise<number>;
  failed(key: string, from: string): Promise<void>;
}

export function caseImplementations(d: { cases: Cases; departments: Departments; log: Logger; pins?: PinGuard }): Partial<Implementations> {
  return {
    actors: {
      caseStatus: fromPromise<CaseStatusOutput, ActorInput>(async ({ input }) => {
        const number = (input.data[String(input.params.number ?? 'caseNumber')] ?? '').replace(/\D/g, '');
        const pin = input.data[String(input.params.pin ?? 'casePin')]?.replace(/\D/g, '');
        if (!isCaseNumber(number)) return { result: 'typo', text: '' };
        const c = await d.cases.get(number);
        if (!c) return { result: 'notFound', text: '' };
        const own = !!c.caller_phone && c.caller_phone === input.caller?.from;
        if (!own && !pin) return { result: c.pin ? 'pin' : 'notFound', text: '' };
        if (!own) {
          const from = input.caller?.from ?? '';
          if (d.pins && (await d.pins.retryAfter(`case:${c.id}`, from)) > 0) {
            d.log.warn({ caseId: c.id, from }, 'case PIN guessed too often; answered as not found');
            return { result: 'notFound', text: '' };
          }
          if (!c.pin || pin !== c.pin) {
            await d.pins?.failed(`case:${c.id}`, from);
            d.log.warn({ caseId: c.id, from }, 'case status asked with a wrong PIN');
            return { result: 'notFound', text: '' };
          }
        }
        const department = c.department ? (await d.departments.get(c.department))?.name : undefined;
        return { result: 'found', text: statusSentence(c, department, input.lang) };
      }),
      /**
       * The callback's rating (回访), see Cases.rate: a second rating of the same reply finds it
       * taken. `rating` is fixed by the flow (a key per rating) or read from the data the caller
       * texted (`from`: 1 满意, 2 基本满意, 3 不满意). Only the caller the case was filed by may rate it.
       */
      rateCase: fromPromise<RatingOutput, ActorInput>(async ({ input }) => {
        const said = input.params.from ? input.data[String(input.params.from)] : undefined;
        const rating = (said ? RATINGS[Number(said) - 1] : String(input.params.rating)) as Rating;
        if (!RATINGS.includes(rating)) throw new Error(`unknown rating ${rating}`);
        const id = input.data[String(input.params.number ?? 'caseNumber')] ?? '';
        const c = await d.cases.get(id);
        if (!c || !c.caller_phone || c.caller_phone !== input.caller?.from) return { result: 'already' };
        const by = input.caller?.channel === 'sms' ? 'callback-sms' : 'callback-call';
        try {
          await d.cases.rate(id, rating, by);
        } catch (err) {
          if (err instanceof IllegalMove || err instanceof CaseNotFound) return { result: 'already' };
          throw err;
        }
        d.log.info({ caseId: id, rating }, 'callback rating recorded');
        return { result: 'rated' };
      }),
    },
    actions: {
      keepCaseStatus: assign(({ context, event }: { context: FlowContext; event: FlowEvent }) => ({ data: { ...context.data, caseStatus: outputOf(event)?.text ?? '' } })),
      /** "评价 26112400015 1": the case number and the rating (1–3) of a text, kept as caseNumber and rating. */
      rememberRating: assign(({ context, event }: { context: FlowContext; event: FlowEvent }) => {
        const m = RATING_IN_TEXT.exec(event.speech ?? '');
        return m ? { data: { ...context.data, caseNumber: m[1]!, rating: m[2]! } } : {};
      }),
      /** The case number in a text such as "查询 26112400015", kept under `key`. */
      rememberCaseNumber: assign(({ context, event }: { context: FlowContext; event: FlowEvent }, params: { key?: string } | undefined) => {
        const found = CASE_NUMBER_IN_TEXT.exec(event.speech ?? event.digits ?? '')?.[1];
        return found ? { data: { ...context.data, [params?.key ?? 'caseNumber']: found } } : {};
      }),
    },
    guards: {
      caseIs: ({ event }, params) => outputOf(event)?.result === params?.result,
      ratingIs: ({ event }, params) => (event.output as RatingOutput | undefined)?.result === params?.result,
      textHasCaseNumber: ({ event }) => CASE_NUMBER_IN_TEXT.test(event.speech ?? ''),
      textHasRating: ({ event }) => RATING_IN_TEXT.test(event.speech ?? ''),
    },
  };
}
