import { existsSync } from 'node:fs';
import { readConfigFile } from '../config-file.ts';
import { z } from 'zod';
import { chinaDate, type WorkCalendar } from './calendar.ts';

export const CASE_TYPES = ['咨询', '求助', '投诉', '举报', '建议'] as const;
export type CaseType = (typeof CASE_TYPES)[number];
export const URGENCIES = ['normal', 'urgent'] as const;
export type Urgency = (typeof URGENCIES)[number];
/** The timed steps of a case: 受理→派单, 派单→签收, 签收→回复, 回复→回访. */
export const DEADLINE_STEPS = ['dispatch', 'accept', 'reply', 'callback'] as const;
export type DeadlineStep = (typeof DEADLINE_STEPS)[number];

/** A time allowed for a step: working days by the official calendar, or clock hours (urgent cases run around the clock). */
const Span = z.union([z.object({ working_days: z.number().int().min(1).max(365) }).strict(), z.object({ hours: z.number().positive().max(24 * 365) }).strict()]);
export type Span = z.infer<typeof Span>;
const Steps = z.object({ dispatch: Span, accept: Span, reply: Span, callback: Span }).strict();
const PartialSteps = Steps.partial();
const ByType = z
  .object({ default: Steps })
  .catchall(PartialSteps)
  .superRefine((v, ctx) => {
    for (const k of Object.keys(v)) if (k !== 'default' && !(CASE_TYPES as readonly string[]).includes(k)) ctx.addIssue({ code: 'custom', path: [k], message: `unknown case type; one of ${CASE_TYPES.join(', ')}` });
  });

/** The deadline policy file (cases/deadlines.yaml). */
export const DeadlinePolicyFile = z
  .object({
    /** Share of a step's time after which the case is flagged as nearing its deadline. */
    warn_at: z.number().gt(0).lt(1).default(0.8),
    /** How long after a dispatch a department may return the case (退单), in hours. */
    return_window_hours: z.number().positive().max(24 * 30).default(24),
    /** Extensions (延期) a case may be granted in all. */
    max_extensions: z.number().int().min(0).max(10).default(2),
    normal: ByType,
    urgent: ByType,
  })
  .strict();
export type DeadlinePolicyFile = z.infer<typeof DeadlinePolicyFile>;

export class DeadlinePolicyError extends Error {}

export interface Deadline {
  /** When the step is due. */
  at: Date;
  /** When the case counts as nearing the deadline (warn_at of the time allowed). */
  warnAt: Date;
  /** Years the deadline crossed that the official calendar does not cover (a guess by weekday). */
  uncovered: number[];
}

/**
 * Deadlines by case type, urgency and step, computed on the official working-day calendar.
 * Every deadline is a timestamp to store with the case; nothing here keeps a timer.
 */
export class DeadlinePolicy {
  constructor(
    readonly file: DeadlinePolicyFile,
    private readonly calendar: WorkCalendar,
  ) {}

  static load(file: string, calendar: WorkCalendar): DeadlinePolicy {
    if (!existsSync(file)) throw new DeadlinePolicyError(`${file}: not found; copy cases/deadlines.yaml from the Hotline repository and adjust it`);
    return new DeadlinePolicy(readConfigFile(file, DeadlinePolicyFile, (m) => new DeadlinePolicyError(m)), calendar);
  }

  /** The lifecycle's limits from the same file. */
  get rules(): { returnWindowHours: number; maxExtensions: number } {
    return { returnWindowHours: this.file.return_window_hours, maxExtensions: this.file.max_extensions };
  }

  span(type: CaseType, urgency: Urgency, step: DeadlineStep): Span {
    const rules = this.file[urgency];
    return rules[type]?.[step] ?? rules.default[step];
  }

  /** The deadline of `step` for a case of this type and urgency whose step began at `from`. */
  deadline(type: CaseType, urgency: Urgency, step: DeadlineStep, from: Date): Deadline {
    const span = this.span(type, urgency, step);
    const { at, uncovered } = 'hours' in span ? { at: new Date(from.getTime() + span.hours * 3600_000), uncovered: [] } : this.calendar.addWorkingDays(from, span.working_days);
    return { at, warnAt: new Date(from.getTime() + this.file.warn_at * (at.getTime() - from.getTime())), uncovered };
  }

  /** A deadline moved on by an approved extension, counted from the old one. */
  extend(due: Date, workingDays: number, now: Date): Deadline {
    // A working-day deadline is the instant its day ends; the extension counts from that day.
    const { at, uncovered } = this.calendar.addWorkingDays(new Date(due.getTime() - 1), workingDays);
    return { at, warnAt: new Date(now.getTime() + this.file.warn_at * (at.getTime() - now.getTime())), uncovered };
  }

  /**
   * What ops must hear at start-up: deadlines computed now that fall in a year the calendar
   * does not cover, and (within `lookAheadDays`) the next year still missing.
   */
  coverageWarnings(now: Date, lookAheadDays = 45): string[] {
    const warnings = new Set<string>();
    for (const urgency of URGENCIES)
      for (const type of CASE_TYPES)
        for (const step of DEADLINE_STEPS) {
          const d = this.deadline(type, urgency, step, now);
          for (const y of d.uncovered)
            warnings.add(`deadlines computed now reach ${y}, which the working-day calendar does not cover: they are counted by weekday only. Add ${y}'s holidays and 调休 days to cases/calendar.yaml (and list ${y} under covers), or update chinese-days.`);
        }
    const ahead = new Date(now.getTime() + lookAheadDays * 86_400_000);
    const year = Number(chinaDate(ahead).slice(0, 4));
    if (!this.calendar.covers(year) && warnings.size === 0)
      warnings.add(`the working-day calendar does not cover ${year}, which begins within ${lookAheadDays} days: add its holidays and 调休 days to cases/calendar.yaml (and list ${year} under covers), or update chinese-days.`);
    return [...warnings];
  }
}
