import type { Rate } from '../cases/measures.ts';
import type { PeriodFigures, Report } from './types.ts';

export type Cell = number | string | null;

/** A table of the report, as every output shows it: CSV section, XLSX sheet, printed table. */
export interface ReportTable {
  name: string;
  title: string;
  head: string[];
  rows: Cell[][];
  /** Columns holding rates (0..1), shown as percentages. */
  rates?: number[];
}

/** What each measure is called, in Chinese and English; the key is its path in the JSON. */
export const MEASURE_NAMES: Record<string, string> = {
  'cases.received': '受理量 Cases received',
  'cases.dispatched': '派单量 Dispatched',
  'cases.onTime.dispatch': '按时派单率 On-time dispatch',
  'cases.onTime.accept': '按时签收率 On-time acceptance',
  'cases.onTime.reply': '按时办结率 On-time reply',
  'cases.returned': '退单量 Returned',
  'cases.redispatched': '改派量 Re-dispatched',
  'cases.extensionsRequested': '延期申请 Extensions requested',
  'cases.extensionsApproved': '延期批准 Extensions approved',
  'cases.escalations': '督办量 Escalations',
  'cases.merged': '并单量 Repeats merged',
  'cases.reopened': '重办量 Reopened',
  'cases.replied': '办结量 Replied',
  'cases.callbackReach': '回访率 Callback reach',
  'cases.satisfaction': '满意率 Satisfaction',
  'cases.ratings.satisfied': '满意 Satisfied',
  'cases.ratings.basic': '基本满意 Basically satisfied',
  'cases.ratings.dissatisfied': '不满意 Dissatisfied',
  'service.offered': '呼入量 Calls offered',
  'service.answeredInMenu': '自助解答 Answered in menu',
  'service.abandonedInMenu': '菜单放弃 Abandoned in menu',
  'service.failed': '呼叫失败 Failed',
  'service.askedForHuman': '转人工 Asked for a human',
  'service.answeredByAgent': '人工接听 Answered by an agent',
  'service.abandonedInQueue': '排队放弃 Abandoned in queue',
  'service.answerRate': '接通率 Answer rate',
  'service.answeredWithin15s': '15秒接通率 Answered within 15 s',
  'service.containment': '自助解决率 Containment',
  'service.timeToHuman.p50Seconds': '转人工用时中位数(秒) Time to human p50 (s)',
  'service.timeToHuman.p90Seconds': '转人工用时P90(秒) Time to human p90 (s)',
  'service.timeToHuman.meanMenuSteps': '转人工前菜单步数 Menu steps before a human',
  'service.timeToAnswer.p50Seconds': '排队用时中位数(秒) Time to answer p50 (s)',
  'service.timeToAnswer.p90Seconds': '排队用时P90(秒) Time to answer p90 (s)',
  'service.timeToAgent.p50Seconds': '接通人工用时中位数(秒) Time to agent p50 (s)',
  'service.timeToAgent.p90Seconds': '接通人工用时P90(秒) Time to agent p90 (s)',
  'sms.conversations': '短信会话 Text conversations',
  'sms.answeredInMenu': '短信自助解答 Texts answered in menu',
  'sms.handedOff': '短信转人工 Texts handed to a person',
  'sms.abandoned': '短信放弃 Texts abandoned',
  'sms.answeredWithin3min': '短信3分钟回复率 Texts answered within 3 min',
  'firstContact.resolution': '一次解决率 First-contact resolution',
};

const isRate = (v: unknown): v is Rate => typeof v === 'object' && v !== null && 'numerator' in v && 'denominator' in v;

/** The named measures of one period: value, and for a rate its numerator and denominator. */
export function measuresOf(f: PeriodFigures): Map<string, { value: number | null; rate?: Rate }> {
  const out = new Map<string, { value: number | null; rate?: Rate }>();
  const visit = (prefix: string, v: unknown) => {
    if (v === null || typeof v === 'number') out.set(prefix, { value: v });
    else if (isRate(v)) out.set(prefix, { value: v.rate, rate: v });
    else if (typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (k !== 'period') visit(`${prefix}.${k}`, x);
  };
  for (const part of ['cases', 'service', 'sms', 'firstContact'] as const) if (f[part]) visit(part, f[part]);
  return out;
}

const pct = (r: Rate) => r.rate;
const list = (ids: string[]) => ids.join(' ');

/** Every table of a report, in the order the outputs show them. */
export function reportTables(r: Report): ReportTable[] {
  const cols = [r.current, r.previous, r.yearBefore].map(measuresOf);
  const names = Object.keys(MEASURE_NAMES).filter((n) => cols[0]!.has(n));
  const measures: ReportTable = {
    name: 'measures',
    title: '指标 Measures',
    head: ['measure', '指标', '本期 current', '环比 previous', '同比 year before', '本期分子 numerator', '本期分母 denominator'],
    rows: names.map((n) => {
      const [c, p, y] = cols.map((m) => m.get(n));
      return [n, MEASURE_NAMES[n]!, c?.value ?? null, p?.value ?? null, y?.value ?? null, c?.rate?.numerator ?? null, c?.rate?.denominator ?? null];
    }),
  };
  // Rate rows are marked by having a denominator; outputs format those values as percentages.
  const tables: ReportTable[] = [
    measures,
    {
      name: 'league',
      title: '部门排名 Department league',
      head: ['department', '受理 received', '按时签收 on-time accept', '按时办结 on-time reply', '满意率 satisfaction', '退单 returned'],
      rows: r.league.map((l) => [l.department, l.received, pct(l.accept), pct(l.reply), pct(l.satisfaction), l.returned]),
      rates: [2, 3, 4],
    },
    { name: 'categories', title: '热点类别 Top categories', head: ['category', 'cases'], rows: r.top.categories.map((c) => [c.key, c.count]) },
    { name: 'category_groups', title: '类别分组 Category groups', head: ['group', 'cases'], rows: r.top.categoryGroups.map((c) => [c.key, c.count]) },
    { name: 'districts', title: '区域 Districts', head: ['district', 'cases'], rows: r.top.districts.map((c) => [c.key, c.count]) },
    {
      name: 'overdue',
      title: `超期未办 Still overdue (${r.overdue.count})`,
      head: ['case', 'department', 'category', 'district', 'step', 'due at'],
      rows: r.overdue.cases.map((c) => [c.id, c.department, c.category, c.district, c.step, c.dueAt]),
    },
    {
      name: 'rising',
      title: '上升话题 Rising topics',
      head: ['kind', 'topic', 'cases', 'baseline', 'ratio', 'case ids'],
      rows: r.insights.rising.map((t) => [t.kind, t.key, t.count, t.baseline, t.ratio, list(t.caseIds)]),
    },
    {
      name: 'clusters',
      title: '重复投诉 Complaint clusters',
      head: ['place', 'district', 'complaints', 'categories', 'case ids'],
      rows: r.insights.clusters.map((c) => [c.place, c.district, c.count, c.categories.map((x) => `${x.key}×${x.count}`).join(' '), list(c.caseIds)]),
    },
    {
      name: 'unanswered',
      title: '知识库未答问题 Unanswered questions',
      head: ['question', 'times asked', 'channels', 'calls', 'case ids'],
      rows: r.insights.unanswered.map((q) => [q.question, q.count, q.channels.map((x) => `${x.key}×${x.count}`).join(' '), list(q.callSids), list(q.caseIds)]),
    },
    {
      name: 'survey_departments',
      title: `满意度（部门） Satisfaction by department — 回访率 ${fmtRate(r.survey.responseRate)}, 满意率 ${fmtRate(r.survey.satisfaction)}`,
      head: ['department', '满意', '基本满意', '不满意', '满意率 satisfaction'],
      rows: r.survey.byDepartment.map((l) => [l.key, l.satisfied, l.basic, l.dissatisfied, pct(l.satisfaction)]),
      rates: [4],
    },
    {
      name: 'survey_categories',
      title: '满意度（类别） Satisfaction by category',
      head: ['category', '满意', '基本满意', '不满意', '满意率 satisfaction'],
      rows: r.survey.byCategory.map((l) => [l.key, l.satisfied, l.basic, l.dissatisfied, pct(l.satisfaction)]),
      rates: [4],
    },
    { name: 'survey_reasons', title: '不满意原因 Reasons for 不满意', head: ['reason', 'cases', 'case ids'], rows: r.survey.reasons.map((x) => [x.reason, x.count, list(x.caseIds)]) },
    { name: 'reopened', title: `重办 Reopened (${r.survey.reopened.count})`, head: ['case ids'], rows: r.survey.reopened.caseIds.map((id) => [id]) },
  ];
  return tables;
}

export function fmtRate(r: Rate): string {
  return r.rate === null ? '—' : `${(r.rate * 100).toFixed(1)}%`;
}

/** Whether a measure row's values are rates (it has a denominator column). */
export const isRateRow = (row: Cell[]) => row[6] !== null && row[6] !== undefined;
