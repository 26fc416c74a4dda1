import type { Selectable } from 'kysely';
import type { CallAssignmentsTable, CallsTable, KnowledgeAnswersTable, OutboxTable, SmsSessionsTable } from '../store/schema.ts';
import { UNANSWERED, VAGUE } from './catalogue.ts';
import { chinaHour, MINUTE, SECOND } from './clock.ts';
import type { CaseHead, CallbackCall } from './plan.ts';
import type { Random } from './random.ts';

/** The hotline's own number, as callers dial it and as callbacks show it. */
export const HOTLINE_NUMBER = '+8612345';

export type Lang = 'zh-CN' | 'en-US';

/** A knowledge article as the generator uses it. */
export interface DemoArticle {
  id: string;
  title: string;
  lang: Lang;
  /** The department it names (routing uses it when no rule matches). */
  department: string;
  /** Its answer as one text message (`smsText`). */
  sms: string;
}

/** A question people ask that an article answers. */
export interface Question {
  q: string;
  articleId: string;
  lang: Lang;
}

/** The rows a day of contacts adds, table by table. */
export interface ContactRows {
  calls: Selectable<CallsTable>[];
  call_assignments: Selectable<CallAssignmentsTable>[];
  sms_sessions: Selectable<SmsSessionsTable>[];
  knowledge_answers: Selectable<KnowledgeAnswersTable>[];
  outbox: Selectable<OutboxTable>[];
}

export interface ContactEnv {
  rng: Random;
  articles: ReadonlyMap<string, DemoArticle>;
  questions: Record<Lang, readonly Question[]>;
  agents: readonly string[];
  flowVersions: { main: number; sms: number; callback: number };
  /** Recent cases, for callers who ask where theirs stands. */
  recentCases: () => ReadonlyArray<{ id: string; phone: string }>;
  rows: ContactRows;
}

const iso = (t: number) => new Date(t).toISOString();
const unansweredWeights = UNANSWERED.map((u) => u.weight);

/**
 * A contact as the channel records it: the states entered in order, the caller's inputs, the
 * times. Built forward from 0 and placed in time at the end, so a call can be fitted to end
 * where a case begins.
 */
class Contact {
  readonly path: string[] = [];
  readonly inputs: Array<Record<string, unknown>> = [];
  readonly data: Record<string, string> = {};
  readonly answers: Array<Omit<Selectable<KnowledgeAnswersTable>, 'id' | 'call_sid' | 'at' | 'channel'> & { t: number }> = [];
  /** Milliseconds since the contact began. */
  t = 0;
  handoff: string | null = null;
  handoffAt = 0;
  lang: Lang;

  constructor(lang: Lang) {
    this.lang = lang;
  }

  enter(...states: string[]): this {
    this.path.push(...states);
    return this;
  }

  wait(seconds: number): this {
    this.t += Math.round(seconds * SECOND);
    return this;
  }

  /** The caller's answer to `state`: an event and what they keyed or said. */
  input(state: string, event: string, extra: Record<string, unknown> = {}): this {
    this.inputs.push({ t: this.t, state, event, ...extra });
    return this;
  }

  answer(a: Contact['answers'][number]): void {
    this.answers.push(a);
  }

  handOff(state: string, queue: string): this {
    this.enter(state);
    this.handoff = `queue:${queue}`;
    this.handoffAt = this.t;
    return this;
  }
}

/** What the knowledge base answered for a question, as its record shows it. */
function lookup(rng: Random, c: Contact, question: string, kind: 'answer' | 'rephrase' | 'human', articleId: string | null): void {
  const confidence = kind === 'answer' ? rng.between(0.46, 0.97) : kind === 'rephrase' ? rng.between(0.2, 0.44) : rng.between(0, 0.19);
  const score = kind === 'human' && !articleId ? 0 : Number((confidence * rng.between(12, 40)).toFixed(3));
  c.answer({ t: c.t, question, article_id: kind === 'human' ? null : articleId, score, confidence: Number(confidence.toFixed(4)), decision: kind, lang: c.lang });
}

function unanswered(rng: Random, lang: Lang): string {
  for (let i = 0; i < 20; i++) {
    const u = UNANSWERED[rng.index(unansweredWeights)]!;
    if (u.lang === lang) return u.q;
  }
  return UNANSWERED.find((u) => u.lang === lang)!.q;
}

const agentQueue = (lang: Lang, queue: string) => (lang === 'en-US' ? ['englishAgent', 'english'] : [queue === 'policy' ? 'policyAgent' : queue === 'complaints' ? 'complaintAgent' : 'agent', queue]) as [string, string];

/**
 * Inbound calls, text conversations, the knowledge base's answers in them, agents' take-overs and
 * their first texts: the contact centre's side of the history.
 */
export class Contacts {
  constructor(private readonly env: ContactEnv) {}

  private get rng() {
    return this.env.rng;
  }

  private sid(prefix: string): string {
    return prefix + this.rng.hex(32);
  }

  private question(lang: Lang): Question {
    const pool = this.env.questions[lang].length ? this.env.questions[lang] : this.env.questions['zh-CN'];
    return this.rng.pick(pool);
  }

  /** How long a caller handed to a person waits for an agent: most within 15 s, longer at the peaks. */
  private queueWait(at: number): number {
    const h = chinaHour(at);
    const peak = (h >= 9 && h < 12) || (h >= 14 && h < 17);
    const r = this.rng.next();
    if (r < (peak ? 0.7 : 0.85)) return this.rng.between(2, 15);
    if (r < (peak ? 0.93 : 0.97)) return this.rng.between(15, 60);
    return this.rng.between(60, 240);
  }

  // ---- voice ----------------------------------------------------------------------------

  /** An ordinary inbound call starting at `at`: the menu, the knowledge base, a person, or a hang-up. */
  call(at: number, from: string): void {
    const rng = this.rng;
    const lang: Lang = rng.chance(0.04) ? 'en-US' : 'zh-CN';
    const c = new Contact(lang);
    c.enter('greeting').wait(rng.between(4, 12));
    if (lang === 'en-US') c.input('greeting', 'LANGUAGE', { digits: '9' }).enter('greeting').wait(rng.between(4, 10));
    const scenario = rng.weighted({ kb: 22, policy: 6, rephrase: 5, notFound: 8, status: 7, complaint: 8, agent: 26, abandoned: 14, failed: 1.5 });
    let outcome: 'answered_in_menu' | 'abandoned' | 'handed_off' | 'failed' = 'answered_in_menu';
    const toAgent = (state: string, queue = 'general') => {
      const [s, q] = agentQueue(lang, queue);
      c.input(state, 'AGENT', rng.chance(0.6) ? { digits: '0' } : { speech: lang === 'en-US' ? 'agent' : rng.pick(['人工', '转人工', '人工服务']), confidence: 0.93 });
      c.handOff(s, q);
      outcome = 'handed_off';
    };
    const heardAnswer = () => {
      c.enter('answer').wait(rng.between(15, 40));
      const next = rng.weighted({ hangUp: 60, sms: 20, next: 10, agent: 10 });
      if (next === 'sms') {
        c.input('answer', 'SMS', { digits: '1' }).enter('sendAnswer', 'answerSent', 'anythingElse').wait(rng.between(3, 8));
      } else if (next === 'next') {
        c.input('answer', 'NEXT', { digits: '2' }).enter('answer').wait(rng.between(15, 35));
      } else if (next === 'agent') toAgent('answer');
    };
    switch (scenario) {
      case 'kb':
      case 'policy': {
        const q = this.question(lang);
        let state = 'greeting';
        if (scenario === 'policy') {
          c.input('greeting', 'POLICY', { digits: '1' }).enter('policy').wait(rng.between(5, 10));
          state = 'policy';
        }
        c.input(state, 'SPEECH', { speech: q.q, confidence: Number(rng.between(0.7, 0.97).toFixed(2)) }).enter('lookup');
        lookup(rng, c, q.q, 'answer', q.articleId);
        heardAnswer();
        break;
      }
      case 'rephrase': {
        const vague = rng.pick(VAGUE);
        c.input('greeting', 'SPEECH', { speech: vague, confidence: 0.81 }).enter('lookup');
        const guess = this.question(lang);
        lookup(rng, c, vague, 'rephrase', guess.articleId);
        c.enter('rephrase').wait(rng.between(6, 12));
        if (rng.chance(0.5)) {
          const q = this.question(lang);
          c.input('rephrase', 'SPEECH', { speech: q.q, confidence: 0.88 }).enter('lookupAgain');
          lookup(rng, c, q.q, 'answer', q.articleId);
          heardAnswer();
        } else {
          const q = unanswered(rng, lang);
          c.input('rephrase', 'SPEECH', { speech: q, confidence: 0.84 }).enter('lookupAgain');
          lookup(rng, c, q, 'human', null);
          c.enter('notFound').wait(4);
          const [s, queue] = agentQueue(lang, 'policy');
          c.handOff(s, queue);
          outcome = 'handed_off';
        }
        break;
      }
      case 'notFound': {
        const q = unanswered(rng, lang);
        c.input('greeting', 'SPEECH', { speech: q, confidence: Number(rng.between(0.75, 0.95).toFixed(2)) }).enter('lookup');
        lookup(rng, c, q, 'human', null);
        c.enter('notFound').wait(4);
        const [s, queue] = agentQueue(lang, 'policy');
        c.handOff(s, queue);
        outcome = 'handed_off';
        break;
      }
      case 'status': {
        const recent = this.env.recentCases();
        if (!recent.length) {
          toAgent('greeting');
          break;
        }
        const k = rng.pick(recent);
        c.input('greeting', 'CASE', { digits: '2' }).enter('caseNumber').wait(rng.between(8, 16));
        if (rng.chance(0.1)) {
          c.input('caseNumber', 'DIGITS', { digits: k.id.slice(0, -1) + ((Number(k.id.slice(-1)) + 1) % 10) }).enter('caseLookup', 'caseNumberTypo').wait(rng.between(8, 14));
          c.input('caseNumberTypo', 'DIGITS', { digits: k.id }).enter('caseLookupAgain', 'caseStatus').wait(rng.between(10, 20));
        } else c.input('caseNumber', 'DIGITS', { digits: k.id }).enter('caseLookup', 'caseStatus').wait(rng.between(10, 20));
        if (rng.chance(0.12)) toAgent('caseStatus');
        break;
      }
      case 'complaint': {
        c.input('greeting', 'COMPLAINT', { digits: '3' }).enter('complaint').wait(rng.between(8, 20));
        c.input('complaint', 'SPEECH', { speech: lang === 'en-US' ? 'there is loud noise from a restaurant every night' : rng.pick(['楼下饭店每天晚上噪音很大', '小区门口占道经营', '路边有车乱停', '我要投诉一个商家不退款']), confidence: 0.86 }).enter('complaintHeard').wait(4);
        const [s, q] = agentQueue(lang, 'complaints');
        c.handOff(s, q);
        outcome = 'handed_off';
        break;
      }
      case 'agent':
        toAgent('greeting');
        break;
      case 'abandoned':
        if (rng.chance(0.5)) c.input('greeting', 'POLICY', { digits: '1' }).enter('policy').wait(rng.between(2, 8));
        else c.wait(rng.between(1, 10));
        outcome = 'abandoned';
        break;
      case 'failed':
        outcome = 'failed';
        break;
    }
    this.writeCall(c, at, from, outcome);
  }

  /** The call a voice case was opened from, ending where the case begins; returns its sid. */
  callForCase(head: CaseHead): string {
    const rng = this.rng;
    const lang = head.lang;
    const c = new Contact(lang);
    c.enter('greeting').wait(rng.between(4, 12));
    if (lang === 'en-US') c.input('greeting', 'LANGUAGE', { digits: '9' }).enter('greeting').wait(rng.between(4, 10));
    if (head.type === '咨询') {
      if (head.articleId && rng.chance(0.7)) {
        const q = this.questionAbout(head.articleId, lang);
        c.input('greeting', 'SPEECH', { speech: q, confidence: 0.9 }).enter('lookup');
        lookup(rng, c, q, 'answer', head.articleId);
        c.enter('answer').wait(rng.between(15, 35));
        c.input('answer', 'AGENT', { digits: '0' });
        const [s, queue] = agentQueue(lang, 'general');
        c.handOff(s, queue);
      } else {
        const q = rng.chance(0.5) ? unanswered(rng, lang) : head.description.slice(0, 40);
        c.input('greeting', 'SPEECH', { speech: q, confidence: 0.86 }).enter('lookup');
        lookup(rng, c, q, 'human', null);
        c.enter('notFound').wait(4);
        const [s, queue] = agentQueue(lang, 'policy');
        c.handOff(s, queue);
      }
    } else if (rng.chance(head.type === '求助' ? 0.4 : 0.7)) {
      c.input('greeting', 'COMPLAINT', { digits: '3' }).enter('complaint').wait(rng.between(8, 20));
      c.input('complaint', 'SPEECH', { speech: head.description.slice(0, 30), confidence: 0.83 }).enter('complaintHeard').wait(4);
      const [s, queue] = agentQueue(lang, 'complaints');
      c.handOff(s, queue);
    } else {
      c.input('greeting', 'AGENT', { digits: '0' });
      const [s, queue] = agentQueue(lang, 'general');
      c.handOff(s, queue);
    }
    // Back from the case: taken by the agent who opened it, a few minutes of talk before.
    const talk = rng.between(90, 480) * SECOND;
    const wait = this.queueWait(head.created) * SECOND;
    const start = head.created - talk - wait - c.handoffAt;
    const sid = this.sid('CA');
    this.writeCall(c, start, head.callerPhone, 'handed_off', { sid, by: head.by, wait, talk: talk + rng.between(30, 120) * SECOND });
    return sid;
  }

  private questionAbout(articleId: string, lang: Lang): string {
    const mine = this.env.questions[lang].filter((q) => q.articleId === articleId);
    return mine.length ? this.rng.pick(mine).q : this.question(lang).q;
  }

  private writeCall(c: Contact, start: number, from: string, outcome: 'answered_in_menu' | 'abandoned' | 'handed_off' | 'failed', taken?: { sid: string; by: string; wait: number; talk: number }): void {
    const rng = this.rng;
    const sid = taken?.sid ?? this.sid('CA');
    let end = start + c.t + rng.between(1, 5) * SECOND;
    let handedOff: string | null = null;
    if (c.handoff) {
      const at = start + c.handoffAt;
      handedOff = iso(at);
      // Most calls handed to a person are taken; some callers give up in the queue.
      if (taken || rng.chance(1 - 0.085)) {
        const wait = taken?.wait ?? this.queueWait(at) * SECOND;
        const by = taken?.by ?? rng.pick(this.env.agents);
        this.env.rows.call_assignments.push({ call_sid: sid, username: by, at: iso(at + wait) });
        end = at + wait + (taken?.talk ?? rng.between(60, 540) * SECOND);
      } else end = at + rng.between(15, 180) * SECOND;
    }
    if (outcome === 'failed') end = start;
    const state = c.path[c.path.length - 1]!;
    const done = outcome === 'handed_off' || outcome === 'answered_in_menu';
    const queue = c.handoff?.slice('queue:'.length);
    this.env.rows.calls.push({
      call_sid: sid,
      flow_id: 'main',
      flow_version: this.env.flowVersions.main,
      snapshot: flowSnapshot(done, state, c, sid, from, 'voice'),
      step: c.inputs.length + 1,
      last_step: c.inputs.length,
      last_response: queue ? `<?xml version="1.0" encoding="UTF-8"?><Response><Enqueue>${queue}</Enqueue></Response>` : '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>',
      from_number: from,
      to_number: HOTLINE_NUMBER,
      lang: c.lang,
      state,
      path: JSON.stringify(c.path),
      inputs: JSON.stringify(c.inputs.map(({ t, ...i }) => ({ at: iso(start + (t as number)), ...i }))),
      status: 'ended',
      outcome,
      handoff_target: c.handoff,
      twilio_status: outcome === 'failed' ? rng.pick(['failed', 'busy', 'no-answer']) : 'completed',
      started_at: iso(start),
      updated_at: iso(end),
      handed_off_at: handedOff,
      direction: 'inbound',
      ended_at: iso(end),
      duration_s: outcome === 'failed' ? 0 : Math.round((end - start) / SECOND),
    });
    this.writeAnswers(c, sid, start, 'voice');
  }

  /** The callback (回访) call the outbox placed, which the caller answered with a rating. */
  callback(cb: CallbackCall): void {
    const rng = this.rng;
    const sid = this.sid('CA');
    const start = cb.at - rng.between(15, 40) * SECOND;
    const end = cb.at + rng.between(4, 9) * SECOND;
    const key = { satisfied: ['SATISFIED', '1', 'rateSatisfied', 'thanks'], basic: ['BASIC', '2', 'rateBasic', 'thanks'], dissatisfied: ['DISSATISFIED', '3', 'rateDissatisfied', 'reopened'] }[cb.rating];
    const c = new Contact(cb.lang === 'en-US' ? 'en-US' : 'zh-CN');
    c.enter('rate');
    c.inputs.push({ t: cb.at - start, state: 'rate', event: key[0], digits: key[1] });
    c.enter(key[2]!, key[3]!);
    this.env.rows.calls.push({
      call_sid: sid,
      flow_id: 'callback',
      flow_version: this.env.flowVersions.callback,
      snapshot: flowSnapshot(true, key[3]!, c, sid, cb.phone, 'voice'),
      step: 2,
      last_step: 1,
      last_response: '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>',
      from_number: HOTLINE_NUMBER,
      to_number: cb.phone,
      lang: c.lang,
      state: key[3]!,
      path: JSON.stringify(c.path),
      inputs: JSON.stringify(c.inputs.map(({ t, ...i }) => ({ at: iso(start + (t as number)), ...i }))),
      status: 'ended',
      outcome: 'answered_in_menu',
      handoff_target: null,
      twilio_status: 'completed',
      started_at: iso(start),
      updated_at: iso(end),
      handed_off_at: null,
      direction: 'outbound',
      ended_at: iso(end),
      duration_s: Math.round((end - start) / SECOND),
    });
  }

  // ---- text ------------------------------------------------------------------------------

  /** An ordinary text conversation starting at `at`. */
  conversation(at: number, from: string): void {
    const rng = this.rng;
    const lang: Lang = rng.chance(0.04) ? 'en-US' : 'zh-CN';
    const c = new Contact(lang);
    const texts: Array<{ t: number; body: string; event?: string }> = [];
    const text = (body: string, event?: string) => texts.push({ t: c.t, body, ...(texts.length ? { event } : {}) });
    let outcome: 'answered_in_menu' | 'handed_off' | 'abandoned' = 'answered_in_menu';
    let firstText: { kind: 'knowledge.article'; articleId: string } | undefined;
    const scenario = rng.weighted({ kb: 36, policy: 6, vague: 5, notFound: 10, status: 9, agent: 14, complaint: 8, abandoned: 12 });
    c.enter('menu');
    switch (scenario) {
      case 'kb':
      case 'policy':
      case 'vague': {
        if (scenario === 'policy') {
          text('1', 'POLICY');
          c.enter('policy').wait(rng.between(20, 120));
        }
        const q = this.question(lang);
        const body = scenario === 'vague' ? rng.pick(VAGUE) : q.q;
        text(body, 'SPEECH');
        c.enter('lookup');
        lookup(rng, c, body, scenario === 'vague' ? 'rephrase' : 'answer', q.articleId);
        c.enter('answered');
        if (rng.chance(0.12)) {
          c.wait(rng.between(30, 300));
          text('2', 'NEXT');
          c.enter('answered');
        }
        break;
      }
      case 'notFound': {
        const q = unanswered(rng, lang);
        text(q, 'SPEECH');
        c.enter('lookup');
        lookup(rng, c, q, 'human', null);
        c.handOff('questionReceived', 'policy');
        outcome = 'handed_off';
        firstText = { kind: 'knowledge.article', articleId: this.question(lang).articleId };
        break;
      }
      case 'status': {
        const recent = this.env.recentCases().filter((k) => k.phone);
        if (recent.length) {
          const k = rng.pick(recent);
          text(lang === 'en-US' ? `status ${k.id}` : `查询 ${k.id}`, 'CASE');
          c.enter('caseLookup', 'caseStatus');
          this.writeConversation(c, texts, at, k.phone, 'answered_in_menu');
          return;
        }
        text(lang === 'en-US' ? 'agent' : '人工', 'AGENT');
        c.handOff('agent', 'general');
        outcome = 'handed_off';
        firstText = { kind: 'knowledge.article', articleId: this.question(lang).articleId };
        break;
      }
      case 'agent':
        text(lang === 'en-US' ? 'agent' : rng.pick(['人工', '转人工', '0']), 'AGENT');
        c.handOff('agent', 'general');
        outcome = 'handed_off';
        firstText = { kind: 'knowledge.article', articleId: this.question(lang).articleId };
        break;
      case 'complaint':
        text('3', 'COMPLAINT');
        c.enter('complaint').wait(rng.between(30, 180));
        text(rng.pick(['小区门口有人占道经营', '楼下烧烤店噪音太大', '商家拒绝退款']), 'SPEECH');
        c.handOff('complaintReceived', 'complaints');
        outcome = 'handed_off';
        firstText = { kind: 'knowledge.article', articleId: this.question(lang).articleId };
        break;
      case 'abandoned':
        text(lang === 'en-US' ? 'hi' : rng.pick(['你好', '在吗', '1']), undefined);
        if (texts[0]!.body === '1') c.enter('policy');
        outcome = 'abandoned';
        break;
    }
    const sid = this.writeConversation(c, texts, at, from, outcome);
    if (firstText && c.handoff) this.firstText(from, at + c.handoffAt, firstText.articleId);
  }

  /** The text conversation an SMS case was opened from; the case's own text (its number) is the agent's first reply. */
  conversationForCase(head: CaseHead): string {
    const rng = this.rng;
    const c = new Contact(head.lang);
    const texts: Array<{ t: number; body: string; event?: string }> = [];
    c.enter('menu');
    texts.push({ t: 0, body: '3' });
    c.enter('complaint').wait(rng.between(20, 150));
    texts.push({ t: c.t, body: head.description.slice(0, 60), event: 'SPEECH' });
    c.handOff('complaintReceived', 'complaints');
    const delay = firstTextDelay(rng);
    const start = head.created - delay - c.handoffAt;
    return this.writeConversation(c, texts, start, head.callerPhone, 'handed_off');
  }

  private writeConversation(c: Contact, texts: Array<{ t: number; body: string; event?: string }>, start: number, from: string, outcome: 'answered_in_menu' | 'handed_off' | 'abandoned'): string {
    const rng = this.rng;
    const id = rng.uuid();
    const last = start + c.t;
    const state = c.path[c.path.length - 1]!;
    // A hand-off ends the conversation at once; an idle one is closed after 30 minutes (SMS_IDLE_MS).
    const ended = outcome === 'abandoned' ? last + 30 * MINUTE + rng.between(0, 600) * SECOND : last;
    this.env.rows.sms_sessions.push({
      id,
      from_number: from,
      to_number: HOTLINE_NUMBER,
      flow_id: 'sms',
      flow_version: this.env.flowVersions.sms,
      snapshot: flowSnapshot(outcome !== 'abandoned', state, c, id, from, 'sms'),
      lang: c.lang,
      state,
      path: JSON.stringify(c.path),
      inputs: JSON.stringify(texts.map(({ t, ...x }) => ({ at: iso(start + t), ...x }))),
      status: 'ended',
      outcome,
      last_message_sid: this.sid('SM'),
      last_response: '<?xml version="1.0" encoding="UTF-8"?><Response><Message/></Response>',
      started_at: iso(start),
      updated_at: iso(ended),
      ended_at: iso(ended),
    });
    this.writeAnswers(c, id, start, 'sms');
    return id;
  }

  /** The agent's first text after a hand-off: an article (POST /api/knowledge/:id/send), delivered. */
  private firstText(to: string, handedOff: number, articleId: string): void {
    const a = this.env.articles.get(articleId);
    if (!a) return;
    this.outbox({ kind: 'knowledge.article', to, lang: a.lang, body: `${a.sms}【${a.title}】`, at: handedOff + firstTextDelay(this.rng) });
  }

  /** A delivered text (never queued: the server would send it). */
  outbox(m: { kind: string; to: string; lang: string; body: string; caseId?: string; at: number }): void {
    const rng = this.rng;
    const sent = m.at + rng.between(0.3, 3) * SECOND;
    this.env.rows.outbox.push({
      id: rng.uuid(),
      kind: m.kind,
      channel: 'sms',
      recipient: m.to,
      lang: m.lang,
      subject: null,
      body: m.body,
      case_id: m.caseId ?? null,
      status: 'delivered',
      attempts: 1,
      next_attempt_at: iso(m.at),
      lease_until: null,
      provider_id: this.sid('SM'),
      last_error: null,
      created_at: iso(m.at),
      sent_at: iso(sent),
      updated_at: iso(sent + rng.between(2, 20) * SECOND),
    });
  }

  private writeAnswers(c: Contact, callSid: string, start: number, channel: 'voice' | 'sms'): void {
    for (const { t, ...a } of c.answers) this.env.rows.knowledge_answers.push({ id: this.rng.uuid(), call_sid: callSid, channel, at: iso(start + t), ...a });
  }
}

/** An agent's first text after a hand-off: most within the three minutes of the service standard. */
export function firstTextDelay(rng: Random): number {
  return (rng.chance(0.72) ? rng.between(30, 180) : rng.between(180, 600)) * SECOND;
}

/** The flow machine's persisted snapshot at the end of a contact (status, state, context). */
function flowSnapshot(done: boolean, state: string, c: Contact, sid: string, from: string, channel: 'voice' | 'sms'): string {
  return JSON.stringify({
    status: done ? 'done' : 'active',
    value: state,
    historyValue: {},
    context: { lang: c.lang, retries: 0, maxRetries: 2, data: c.data, caller: { sid, from, channel } },
    children: {},
  });
}
