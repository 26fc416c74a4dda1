import type { Cases } from '../cases/service.ts';
import type { Count, Period, Rate, Scope } from '../cases/measures.ts';
import type { VoiceRecord } from '../voice/measures.ts';
import type { TextRecord } from '../sms/measures.ts';
import type { KnowledgeAnswers } from '../knowledge/answers.ts';
import type { ReportsConfig } from './config.ts';
import type { WordCounts } from './words.ts';
import { chinaToday, periodOf, previousPeriod, yearBefore, type PeriodKind } from './periods.ts';
import { firstContact, REPEAT_WINDOW_HOURS, TEXT_ANSWER_WITHIN_HOURS, serviceAndSamples, smsMeasures, textAnswers, type AnsweredContact, type ServiceMeasures, type ServiceSamples } from './service.ts';
import type { DayRecords, PeriodRecord } from './days.ts';
import { insights } from './insights.ts';
import type { LeagueLine, LiveTiles, PeriodFigures, Report } from './types.ts';
import { chinaDate } from '../cases/calendar.ts';

type Contacts = (p: Period) => Promise<Array<{ from: string; at: string }>>;

/** Where the figures come from: each capability measures its own data. */
export interface ReportSources {
  cases: Pick<Cases, 'measures' | 'tally' | 'league' | 'survey' | 'firstCaseAt' | 'receivedByPeriod' | 'casesAbout' | 'complaintsWithPlace' | 'stillOverdue' | 'contactsWithCase' | 'casesFromContacts'>;
  calls: { record(p: Period): Promise<VoiceRecord>; callers: Contacts };
  texts: { record(p: Period): Promise<TextRecord[]>; senders: Contacts };
  outbox: { textsTo(numbers: string[], from: string, to: string): Promise<Array<{ to: string; at: string }>> };
  assignments: { takenAt(callSids: string[], within?: { from: string; to: string }): Promise<Map<string, string>> };
  answers: Pick<KnowledgeAnswers, 'unansweredIn'>;
  words: Pick<WordCounts, 'counts'>;
  config: ReportsConfig;
  /** The centre's settled days, kept: weeks and months are added up from them. */
  days?: Pick<DayRecords, 'of'>;
  now?: () => Date;
}

const hours = (iso: string, h: number) => new Date(Date.parse(iso) + h * 3600_000).toISOString();

/** The centre's contact measures of a period: phone, text, and first-contact resolution. */
export async function contactMeasures(s: ReportSources, period: Period, opts = { firstContact: true }): Promise<Required<Pick<PeriodFigures, 'service' | 'sms'>> & Pick<PeriodFigures, 'firstContact'> & { samples: ServiceSamples }> {
  // The calls and the texts are read side by side: on PostgreSQL each reads on a connection of its own.
  const [{ voice, taken }, { conversations, texts }] = await Promise.all([
    (async () => {
      const voice = await s.calls.record(period);
      // A call is taken while it is live: within a day of the period's end at the latest.
      const taken = await s.assignments.takenAt(voice.calls.filter((c) => c.handedOffAt).map((c) => c.callSid), { from: period.from, to: hours(period.to, 24) });
      return { voice, taken };
    })(),
    (async () => {
      const conversations = await s.texts.record(period);
      const handed = conversations.filter((c) => c.outcome === 'handed_off');
      const texts = handed.length ? await s.outbox.textsTo([...new Set(handed.map((c) => c.from))], period.from, hours(period.to, TEXT_ANSWER_WITHIN_HOURS)) : [];
      return { conversations, texts };
    })(),
  ]);
  const answeredAt = textAnswers(conversations, texts);
  const answered: AnsweredContact[] = [
    ...voice.calls.filter((c) => c.outcome === 'answered_in_menu' || taken.has(c.callSid)).map((c) => ({ id: c.callSid, from: c.from, at: c.startedAt })),
    ...conversations.filter((c) => answeredAt.has(c.id)).map((c) => ({ id: c.id, from: c.from, at: c.startedAt })),
  ];
  const service = serviceAndSamples(period, voice, taken);
  const sms = smsMeasures(conversations, answeredAt);
  if (!opts.firstContact) return { service: service.measures, samples: service.samples, sms };
  // A contact settled at the first attempt: no case, and no new contact in the 72 h after it.
  const after = { from: period.to, to: hours(period.to, REPEAT_WINDOW_HOURS) };
  const later = [
    ...voice.calls.map((c) => ({ from: c.from, at: c.startedAt })),
    ...conversations.map((c) => ({ from: c.from, at: c.startedAt })),
    ...(await s.calls.callers(after)),
    ...(await s.texts.senders(after)),
  ];
  // A contact opened a case if one was opened from it within 72 h: the contact's own fact, wherever the period ends.
  const opened = await s.cases.contactsWithCase({ from: period.from, to: after.to });
  const withCase = new Set(answered.filter((c) => opened.has(c.id) && Date.parse(opened.get(c.id)!) <= Date.parse(c.at) + REPEAT_WINDOW_HOURS * 3600_000).map((c) => c.id));
  return {
    service: service.measures,
    samples: service.samples,
    sms,
    firstContact: firstContact(answered, later, withCase),
  };
}

const centreWide = (scope: Scope) => !scope.departments;

/** A period's record worked out from the capabilities' data. */
export async function directRecord(s: ReportSources, period: Period, scope: Scope): Promise<PeriodRecord> {
  const cases = await s.cases.measures(period, scope);
  const league = await s.cases.league(period, scope);
  const survey = await s.cases.survey(period, scope);
  if (!centreWide(scope)) return { figures: { period, cases }, league, survey };
  const { samples, ...contacts } = await contactMeasures(s, period);
  return { figures: { period, cases, ...contacts }, league, survey, samples };
}

/** The centre's record from its kept days where it can; a department's from its data. */
const recordOf = (s: ReportSources, period: Period, scope: Scope) => (centreWide(scope) && s.days ? s.days.of(period) : directRecord(s, period, scope));

/** The departments of the period ranked: on-time reply, then on-time acceptance, then satisfaction, then code. */
export async function league(s: Pick<ReportSources, 'cases'>, period: Period, scope: Scope = {}): Promise<LeagueLine[]> {
  return ranked(await s.cases.league(period, scope));
}

function ranked(lines: LeagueLine[]): LeagueLine[] {
  const r = (x: Rate) => x.rate ?? -1;
  return lines.sort((a, b) => r(b.reply) - r(a.reply) || r(b.accept) - r(a.accept) || r(b.satisfaction) - r(a.satisfaction) || a.department.localeCompare(b.department));
}

/** The periods before, that a topic's count is compared with: a week of days, four weeks, three months, four ranges. */
export function baselineOf(period: Period, kind: PeriodKind | 'range'): Period[] {
  const n = kind === 'day' ? 7 : kind === 'month' ? 3 : 4;
  const out: Period[] = [];
  let p = period;
  for (let i = 0; i < n; i++) out.unshift((p = previousPeriod(p, kind === 'range' ? undefined : kind)));
  return out;
}

function summed(counts: Count[], group: (key: string) => string, order: string[] = []): Count[] {
  const m = new Map<string, number>();
  for (const c of counts) m.set(group(c.key), (m.get(group(c.key)) ?? 0) + c.count);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

/** The report of a day, week or month (`kind`, and a date in it), or of a free range. */
export async function buildReport(s: ReportSources, asked: { kind: PeriodKind; date: string } | { period: Period }, scope: Scope = {}): Promise<Report> {
  const kind = 'kind' in asked ? asked.kind : 'range';
  const period = 'kind' in asked ? periodOf(asked.kind, asked.date) : asked.period;
  const now = (s.now ?? (() => new Date()))();
  const record = await recordOf(s, period, scope);
  const current = record.figures;
  const { byCategory, byDistrict, byDepartment } = current.cases;
  const cfg = s.config;
  return {
    kind,
    date: 'kind' in asked ? asked.date : chinaDate(new Date(period.from)),
    generatedAt: now.toISOString(),
    scope,
    current,
    previous: (await recordOf(s, previousPeriod(period, kind === 'range' ? undefined : kind), scope)).figures,
    yearBefore: (await recordOf(s, yearBefore(period), scope)).figures,
    league: ranked(record.league),
    top: {
      categories: byCategory.slice(0, 10),
      categoryGroups: summed(byCategory, (k) => cfg.categoryGroup(k)),
      districts: summed(byDistrict, (k) => cfg.district(k || null), cfg.file.districts),
      departmentGroups: summed(byDepartment.filter((d) => d.key), (k) => cfg.departmentGroup(k)),
    },
    overdue: await s.cases.stillOverdue(scope),
    insights: await insights(s, period, baselineOf(period, kind), scope),
    survey: record.survey,
  };
}

/** The supervisor's live tiles: today (China time) so far. */
export async function liveTiles(s: ReportSources): Promise<LiveTiles> {
  const now = (s.now ?? (() => new Date()))();
  const today = periodOf('day', chinaToday(0, now));
  // The tiles show no first-contact resolution (it needs three days to tell): that work is left out.
  const [contacts, cases, overdue] = await Promise.all([contactMeasures(s, today, { firstContact: false }), s.cases.tally(today), s.cases.stillOverdue({}, 0)]);
  const v = contacts.service;
  return {
    at: now.toISOString(),
    today,
    calls: { offered: v.offered, askedForHuman: v.askedForHuman, answeredByAgent: v.answeredByAgent, answerRate: v.answerRate, answeredWithin15s: v.answeredWithin15s, containment: v.containment },
    sms: { conversations: contacts.sms.conversations, answeredWithin3min: contacts.sms.answeredWithin3min },
    cases: { received: cases.received, dispatched: cases.moves.get('DISPATCH') ?? 0, replied: cases.moves.get('REPLY') ?? 0, overdueNow: overdue.count },
    satisfaction: cases.satisfaction,
  };
}
