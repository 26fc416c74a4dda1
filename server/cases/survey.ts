import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { movesIn, rate, type Period, type Rate, type Scope } from './measures.ts';

type Rating = 'satisfied' | 'basic' | 'dissatisfied';

export interface SurveyLine {
  key: string;
  satisfied: number;
  basic: number;
  dissatisfied: number;
  satisfaction: Rate;
}

/** 满意度调查: the callbacks (回访) of a period, from the CALLBACK and REOPEN moves (docs/reports.md). */
export interface CaseSurvey {
  responseRate: Rate;
  satisfaction: Rate;
  byDepartment: SurveyLine[];
  byCategory: SurveyLine[];
  reasons: Array<{ reason: string; count: number; caseIds: string[] }>;
  reopened: { count: number; caseIds: string[] };
}

const LISTED = 50;
export const NO_REASON = '（未说明）';

function tally(lines: Map<string, Omit<SurveyLine, 'satisfaction'>>, key: string, r: Rating) {
  const l = lines.get(key) ?? { key, satisfied: 0, basic: 0, dissatisfied: 0 };
  l[r]++;
  lines.set(key, l);
}

const finish = (lines: Map<string, Omit<SurveyLine, 'satisfaction'>>): SurveyLine[] =>
  [...lines.values()]
    .map((l) => ({ ...l, satisfaction: rate(l.satisfied + l.basic, l.satisfied + l.basic + l.dissatisfied) }))
    .sort((a, b) => b.satisfied + b.basic + b.dissatisfied - (a.satisfied + a.basic + a.dissatisfied) || a.key.localeCompare(b.key));

export async function caseSurvey(db: Kysely<Database>, period: Period, scope: Scope = {}): Promise<CaseSurvey> {
  const none = rate(0, 0);
  if (scope.departments && scope.departments.length === 0) return { responseRate: none, satisfaction: none, byDepartment: [], byCategory: [], reasons: [], reopened: { count: 0, caseIds: [] } };
  const moves = movesIn(db, period, scope.departments);
  const rows = await moves
    .where('e.type', 'in', ['CALLBACK', 'REOPEN', 'REPLY'])
    .select(['e.case_id as caseId', 'e.seq as seq', 'e.type as type', 'e.event as event', 'e.note as note', 'e.reason as reason', 'c.department as department', 'c.category as category'])
    .orderBy('e.at', 'desc')
    .execute();
  const byDepartment = new Map<string, Omit<SurveyLine, 'satisfaction'>>();
  const byCategory = new Map<string, Omit<SurveyLine, 'satisfaction'>>();
  const reopenReason = new Map(rows.filter((r) => r.type === 'REOPEN').map((r) => [`${r.caseId}:${r.seq}`, r.reason]));
  const reasons = new Map<string, string[]>();
  let replies = 0;
  let callbacks = 0;
  let good = 0;
  const reopened: string[] = [];
  for (const r of rows) {
    if (r.type === 'REPLY') replies++;
    if (r.type === 'REOPEN') reopened.push(r.caseId);
    if (r.type !== 'CALLBACK') continue;
    callbacks++;
    const ev = JSON.parse(r.event) as { rating?: Rating; satisfied?: boolean };
    const rating: Rating = ev.rating ?? (ev.satisfied ? 'satisfied' : 'dissatisfied');
    if (rating !== 'dissatisfied') good++;
    tally(byDepartment, r.department ?? '', rating);
    tally(byCategory, r.category, rating);
    if (rating === 'dissatisfied') {
      // What the caller said, as the agent wrote it at the callback; else why the case was reopened.
      const reason = r.note?.trim() || reopenReason.get(`${r.caseId}:${r.seq + 1}`)?.trim() || NO_REASON;
      const ids = reasons.get(reason);
      if (ids) ids.push(r.caseId);
      else reasons.set(reason, [r.caseId]);
    }
  }
  return {
    responseRate: rate(callbacks, replies),
    satisfaction: rate(good, callbacks),
    byDepartment: finish(byDepartment),
    byCategory: finish(byCategory),
    reasons: [...reasons].map(([reason, ids]) => ({ reason, count: ids.length, caseIds: ids.slice(0, LISTED) })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    reopened: { count: reopened.length, caseIds: [...new Set(reopened)].slice(0, LISTED) },
  };
}
