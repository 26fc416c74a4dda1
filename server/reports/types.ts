/**
 * The report as JSON: what `/api/reports/report`, `hotline report --format json`, the stored
 * reports and the panel's report page all share. Every figure is defined in docs/reports.md.
 */
import type { CaseMeasures, Count, LeagueLine, Period, Rate, Scope } from '../cases/measures.ts';
import type { PeriodKind } from './periods.ts';
import type { ServiceMeasures } from './service.ts';
import type { CaseSurvey, SurveyLine } from '../cases/survey.ts';

export type { CaseMeasures, Count, LeagueLine, Period, Rate, Scope, PeriodKind, ServiceMeasures, SurveyLine };

/** The text (SMS) channel's measures of a period. */
export interface SmsMeasures {
  /** Text conversations started in the period. */
  conversations: number;
  answeredInMenu: number;
  handedOff: number;
  abandoned: number;
  /** Conversations answered (by the menu, or by a person's first text after the hand-off) within 180 s of their first text, over those answered by the menu or handed to a person. */
  answeredWithin3min: Rate;
}

/** Contacts (calls and text conversations) settled at the first contact. */
export interface FirstContact {
  /** Answered by the menu or an agent, no case opened, and no new contact from the same number within 72 h; over all answered contacts. */
  resolution: Rate;
}

/** One period's figures. `service`, `sms` and `firstContact` are the centre's: absent in a department's report. */
export interface PeriodFigures {
  period: Period;
  cases: CaseMeasures;
  service?: ServiceMeasures;
  sms?: SmsMeasures;
  firstContact?: FirstContact;
}

/** A case still past a deadline when the report was made. */
export interface OverdueCase {
  id: string;
  department: string | null;
  category: string;
  district: string | null;
  /** The step it waits for: dispatch | accept | reply | callback. */
  step: string | null;
  dueAt: string;
}

/** A topic with far more cases in the period than its recent baseline. */
export interface RisingTopic {
  kind: 'category' | 'district' | 'word';
  key: string;
  count: number;
  /** The mean count per period over the baseline periods before this one. */
  baseline: number;
  /** count / max(baseline, 1). */
  ratio: number;
  /** The cases behind it (up to 50), newest first. */
  caseIds: string[];
}

/** Repeated complaints about one place. */
export interface ComplaintCluster {
  /** The place as written (the most common spelling of the address), or the map cell. */
  place: string;
  district: string | null;
  count: number;
  categories: Count[];
  caseIds: string[];
}

/** A question the knowledge base could not answer, as callers asked it. */
export interface UnansweredQuestion {
  question: string;
  count: number;
  channels: Count[];
  /** The calls and text conversations it was asked in (up to 50). */
  callSids: string[];
  /** Cases opened from those contacts. */
  caseIds: string[];
}

export interface Insights {
  rising: RisingTopic[];
  clusters: ComplaintCluster[];
  unanswered: UnansweredQuestion[];
}

/** 满意度调查报告: the callbacks (回访) of the period, as the cases capability counts them. */
export type SurveyReport = CaseSurvey;

/** One report: the period's figures beside the period before (环比) and a year before (同比). */
export interface Report {
  kind: PeriodKind | 'range';
  /** A day in the period (YYYY-MM-DD, China time); for a free range, its first day. */
  date: string;
  generatedAt: string;
  scope: Scope;
  current: PeriodFigures;
  previous: PeriodFigures;
  yearBefore: PeriodFigures;
  /** The departments of the period, best on-time reply first. */
  league: LeagueLine[];
  /** The configured summary levels: categories and districts, most cases first. */
  top: { categories: Count[]; categoryGroups: Count[]; districts: Count[]; departmentGroups: Count[] };
  /** Still past a deadline when the report was made, most overdue first (up to 200). */
  overdue: { count: number; cases: OverdueCase[] };
  insights: Insights;
  survey: SurveyReport;
}

/** The supervisor's live tiles: today so far (China day), refreshed every few seconds. */
export interface LiveTiles {
  at: string;
  today: Period;
  calls: { offered: number; askedForHuman: number; answeredByAgent: number; answerRate: Rate; answeredWithin15s: Rate; containment: Rate };
  sms: { conversations: number; answeredWithin3min: Rate };
  cases: { received: number; dispatched: number; replied: number; overdueNow: number };
  satisfaction: Rate;
}
