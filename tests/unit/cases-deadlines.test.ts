import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalendarError, WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy, DeadlinePolicyError } from '../../server/cases/deadlines.ts';
import { REPO } from '../helpers/hotline.ts';

/** An instant given in China time (UTC+8). */
const cn = (local: string) => new Date(`${local}+08:00`);
/** The end of a China calendar day, as the instant a working-day deadline falls on. */
const endOf = (date: string) => new Date(new Date(`${date}T00:00:00+08:00`).getTime() + 86_400_000);

const official = new WorkCalendar();
const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), official);

describe('working days on China’s official calendar (2026 as published)', () => {
  it('knows the 2026 National Day week, the Mid-Autumn days and their make-up working weekends', () => {
    for (const d of ['2026-09-25', '2026-09-26', '2026-09-27', '2026-10-01', '2026-10-05', '2026-10-07']) expect(official.isWorkday(d), d).toBe(false);
    expect(official.isWorkday('2026-09-20')).toBe(true); // Sunday, worked
    expect(official.isWorkday('2026-10-10')).toBe(true); // Saturday, worked
    expect(official.isWorkday('2026-10-11')).toBe(false); // an ordinary Sunday
    expect(official.isWorkday('2026-10-08')).toBe(true);
  });

  it('knows the Spring Festival holiday and both make-up Saturdays', () => {
    for (const d of ['2026-02-15', '2026-02-18', '2026-02-23']) expect(official.isWorkday(d), d).toBe(false);
    expect(official.isWorkday('2026-02-14')).toBe(true);
    expect(official.isWorkday('2026-02-28')).toBe(true);
    expect(official.isWorkday('2026-02-21')).toBe(false); // a Saturday inside the holiday
  });

  it('counts a consultation received the day before National Day to the end of 9 October', () => {
    // Counting starts on 1 October: 1–7 off, 8 October is the first working day, 9 October the second.
    expect(official.addWorkingDays(cn('2026-09-30T10:00:00'), 2).at).toEqual(endOf('2026-10-09'));
  });

  it('counts the make-up Saturday 10 October as a working day', () => {
    expect(official.addWorkingDays(cn('2026-10-09T09:00:00'), 1).at).toEqual(endOf('2026-10-10'));
  });

  it('counts across the Spring Festival: make-up Saturday 14 February, then nothing until 24 February', () => {
    expect(official.addWorkingDays(cn('2026-02-13T16:00:00'), 1).at).toEqual(endOf('2026-02-14'));
    expect(official.addWorkingDays(cn('2026-02-13T16:00:00'), 2).at).toEqual(endOf('2026-02-24'));
    expect(official.addWorkingDays(cn('2026-02-27T11:00:00'), 1).at).toEqual(endOf('2026-02-28'));
  });

  it('gives a complaint received on 21 September 2026 fifteen working days to 19 October', () => {
    // 22–24 Sep (3), Mid-Autumn 25–27 off, 28–30 Sep (6), National Day off, 8–10 Oct (9, the 10th worked), 12–16 Oct (14), 19 Oct (15).
    const d = policy.deadline('投诉', 'normal', 'reply', cn('2026-09-21T14:30:00'));
    expect(d.at).toEqual(endOf('2026-10-19'));
    expect(d.uncovered).toEqual([]);
  });

  it('decides the day of receipt in China time, not UTC', () => {
    // 17:00 UTC on 30 September is 01:00 on 1 October in China: the day of receipt is a holiday.
    expect(official.addWorkingDays(new Date('2026-09-30T17:00:00Z'), 1).at).toEqual(endOf('2026-10-08'));
    expect(official.addWorkingDays(new Date('2026-09-30T15:00:00Z'), 1).at).toEqual(endOf('2026-10-08'));
    expect(official.addWorkingDays(new Date('2026-09-29T15:00:00Z'), 1).at).toEqual(endOf('2026-09-30'));
  });
});

describe('the shipped deadline policy (Guangdong’s reply times)', () => {
  const monday = cn('2026-11-16T09:00:00');
  it('gives consultations 2 working days, help and suggestions 10, complaints and reports 15', () => {
    expect(policy.deadline('咨询', 'normal', 'reply', monday).at).toEqual(endOf('2026-11-18'));
    expect(policy.deadline('求助', 'normal', 'reply', monday).at).toEqual(endOf('2026-11-30'));
    expect(policy.deadline('建议', 'normal', 'reply', monday).at).toEqual(endOf('2026-11-30'));
    expect(policy.deadline('投诉', 'normal', 'reply', monday).at).toEqual(endOf('2026-12-07'));
    expect(policy.deadline('举报', 'normal', 'reply', monday).at).toEqual(endOf('2026-12-07'));
  });

  it('sets the lifecycle limits from the same file: return within 24 hours, at most 2 extensions', () => {
    expect(policy.rules).toEqual({ returnWindowHours: 24, maxExtensions: 2 });
  });

  it('gives urgent cases 2 clock hours, holiday or not, and warns at 80 % of the time', () => {
    const d = policy.deadline('求助', 'urgent', 'reply', cn('2026-10-03T22:00:00'));
    expect(d.at).toEqual(cn('2026-10-04T00:00:00'));
    expect(d.warnAt).toEqual(cn('2026-10-03T23:36:00'));
  });

  it('warns when a deadline computed now reaches a year the calendar does not cover', () => {
    // 28 December 2026: ten working days run into 2027, which chinese-days 1.5 does not have.
    const late = cn('2026-12-28T10:00:00');
    expect(policy.deadline('求助', 'normal', 'reply', late).uncovered).toEqual([2027]);
    const warnings = policy.coverageWarnings(late);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/reach 2027.*cases\/calendar\.yaml/);
    // Well before the year's end nothing reaches 2027 and the look-ahead is quiet.
    expect(policy.coverageWarnings(cn('2026-06-01T10:00:00'))).toEqual([]);
    // Within 45 days of a missing year, ops hear about it before any deadline is guessed.
    expect(policy.coverageWarnings(cn('2026-11-23T10:00:00'))[0]).toMatch(/does not cover 2027, which begins within 45 days/);
  });
});

describe('the local calendar file', () => {
  const write = (text: string) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hotline-cal-')), 'calendar.yaml');
    writeFileSync(file, text);
    return file;
  };

  it('covers a year the package does not have, with its holidays and 调休 days', () => {
    const cal = WorkCalendar.load(
      write(['covers: [2027]', 'holidays:', '  - { from: 2027-01-01, to: 2027-01-03, name: 元旦 }', 'workdays:', '  - { date: 2027-01-09, name: 调休 }', ''].join('\n')),
    );
    const d = cal.addWorkingDays(cn('2026-12-30T10:00:00'), 2);
    // 31 Dec (1), 1–3 Jan off, 4 Jan (2).
    expect(d.at).toEqual(endOf('2027-01-04'));
    expect(d.uncovered).toEqual([]);
    expect(cal.isWorkday('2027-01-09')).toBe(true);
    expect(new DeadlinePolicy(policy.file, cal).coverageWarnings(cn('2026-12-28T10:00:00'))).toEqual([]);
  });

  it('adds a local holiday on a working day, and it wins over a package make-up day', () => {
    const cal = WorkCalendar.load(write('holidays:\n  - { date: 2026-11-18, name: 本市纪念日 }\n  - { date: 2026-10-10, name: 本地调整 }\n'));
    expect(cal.isWorkday('2026-11-18')).toBe(false);
    expect(cal.isWorkday('2026-10-10')).toBe(false);
    expect(cal.addWorkingDays(cn('2026-11-16T09:00:00'), 2).at).toEqual(endOf('2026-11-19'));
    expect(cal.describe('2026-11-18')).toBe('本市纪念日');
  });

  it('refuses a broken file with its name and line', () => {
    const bad = write('covers: [2027]\nholidays:\n  - { date: 2027-1-1, name: 元旦 }\n');
    expect(() => WorkCalendar.load(bad)).toThrow(CalendarError);
    expect(() => WorkCalendar.load(bad)).toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: holidays.0`));
    expect(() => WorkCalendar.load(write('holidays: [\n'))).toThrow(/calendar\.yaml:\d+:/);
  });

  it('refuses a deadline policy with an unknown case type or a malformed time, naming the line', () => {
    const file = write('normal:\n  default: { dispatch: { hours: 1 }, accept: { hours: 1 }, reply: { working_days: 2 }, callback: { hours: 1 } }\n  吐槽: { reply: { working_days: 1 } }\nurgent:\n  default: { dispatch: { hours: 1 }, accept: { hours: 1 }, reply: { hours: 2 }, callback: { days: 1 } }\n');
    expect(() => DeadlinePolicy.load(file, official)).toThrow(DeadlinePolicyError);
    expect(() => DeadlinePolicy.load(file, official)).toThrow(/:3: normal\.吐槽: unknown case type/);
  });
});
