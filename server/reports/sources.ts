import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import type { Cases } from '../cases/service.ts';
import { Calls } from '../voice/calls.ts';
import { TextRecords } from '../sms/measures.ts';
import { Outbox } from '../notifications/outbox.ts';
import { Assignments } from '../assist/assignments.ts';
import { KnowledgeAnswers } from '../knowledge/answers.ts';
import type { ReportsConfig } from './config.ts';
import { directRecord, type ReportSources } from './report.ts';
import { DayRecords } from './days.ts';
import { WordCounts } from './words.ts';

/** The capabilities a report reads, over one store (the server and `hotline report` alike). */
export function reportSources(db: Kysely<Database>, cases: Cases, config: ReportsConfig, now?: () => Date): ReportSources {
  const sources: ReportSources = {
    cases,
    calls: new Calls(db),
    texts: new TextRecords(db),
    outbox: new Outbox(db),
    assignments: new Assignments(db),
    answers: new KnowledgeAnswers(db),
    words: new WordCounts(db, (p) => cases.descriptions(p), config.file.topics.stopWords, now),
    config,
    now,
  };
  sources.days = new DayRecords(db, (p) => directRecord(sources, p, {}), now);
  return sources;
}
