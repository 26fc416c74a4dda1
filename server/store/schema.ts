/**
 * Table types for the query builder. Each capability owns its tables and is the only
 * code that reads or writes them; other capabilities go through its exported functions.
 * Times are ISO-8601 UTC strings so that both dialects sort and compare them alike.
 */
export interface FlowVersionsTable {
  flow_id: string;
  version: number;
  hash: string;
  channel: string;
  /** The file as the author wrote it (YAML or JSON), kept for diffs and audits. */
  source: string;
  /** The validated definition as JSON. */
  definition: string;
  message: string;
  author: string;
  created_at: string;
}

export interface FlowAliasesTable {
  flow_id: string;
  alias: string;
  version: number;
  updated_at: string;
  updated_by: string;
}

export interface CallsTable {
  call_sid: string;
  flow_id: string;
  flow_version: number;
  snapshot: string;
  /** How many webhook steps have been applied; action URLs carry the next one. */
  step: number;
  /** The step token of the request that produced `last_response` (for replays). */
  last_step: number;
  last_response: string;
  from_number: string;
  to_number: string;
  lang: string;
  state: string;
  /** JSON array of the states visited, in order. */
  path: string;
  /** JSON array of caller inputs: digits, speech, confidence, no-input. */
  inputs: string;
  status: string;
  outcome: string | null;
  handoff_target: string | null;
  twilio_status: string | null;
  started_at: string;
  updated_at: string;
  handed_off_at: string | null;
  /** inbound | outbound (calls we placed, such as the callback). */
  direction: string;
  ended_at: string | null;
  duration_s: number | null;
}

export interface SmsSessionsTable {
  id: string;
  from_number: string;
  to_number: string;
  flow_id: string;
  flow_version: number;
  snapshot: string;
  lang: string;
  state: string;
  path: string;
  inputs: string;
  status: string;
  outcome: string | null;
  /** The last inbound MessageSid answered, and the answer, so a retried webhook is not applied twice. */
  last_message_sid: string | null;
  last_response: string | null;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface SmsOptOutsTable {
  phone: string;
  opted_out_at: string;
}

export interface KnowledgeAnswersTable {
  id: string;
  call_sid: string;
  channel: string;
  question: string;
  /** The article given (or offered), null when nothing was found. */
  article_id: string | null;
  score: number;
  confidence: number;
  /** answer | rephrase | human: what the channel did with the result. */
  decision: string;
  lang: string;
  at: string;
}

export interface CasesTable {
  /** The case number (digits with a check digit). */
  id: string;
  type: string;
  category: string;
  urgency: string;
  caller_phone: string;
  caller_name: string | null;
  district: string | null;
  address: string | null;
  description: string;
  channel: string;
  call_sid: string | null;
  article_id: string | null;
  department: string | null;
  /** The lifecycle state (derived from the events; kept for queries). */
  state: string;
  /** The persisted lifecycle snapshot, JSON. */
  snapshot: string;
  /** How many events the case has had: the compare-and-set guard of every move. */
  version: number;
  /** The step the case is waiting for, and its deadline (null when nothing is due). */
  due_step: string | null;
  due_at: string | null;
  warn_at: string | null;
  /** When the deadline scheduler must look next: warn_at, then due_at once warned, then null. */
  next_check_at: string | null;
  /** The caller's language (zh-CN, en-US): what is sent back to them is in it. */
  lang: string;
  /** Where the request is about (WGS84), when an Open311 app said so. */
  lat: number | null;
  lng: number | null;
  /** Four digits given to the caller: the status may be asked from another phone with them. */
  pin: string | null;
  created_at: string;
  updated_at: string;
}

export interface CaseEventsTable {
  case_id: string;
  seq: number;
  type: string;
  from_state: string;
  to_state: string;
  by_user: string;
  at: string;
  reason: string | null;
  note: string | null;
  /** The whole event, JSON: the history the state is rebuilt from. */
  event: string;
}

export interface CaseDeadlineMissesTable {
  case_id: string;
  step: string;
  /** warning (nearing) | overdue */
  kind: string;
  due_at: string;
  at: string;
}

export interface CaseSequencesTable {
  day: string;
  last: number;
}

export interface UsersTable {
  username: string;
  /** argon2id, PHC string. */
  password_hash: string;
  /** JSON array of roles. */
  roles: string;
  /** JSON array of department codes (for department handlers). */
  departments: string;
  /** 1 for a one-time password that must be changed before anything else. */
  must_change_password: number;
  created_at: string;
}

export interface UserSessionsTable {
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  username: string;
  /** session (browser cookie) | api (bearer token) */
  kind: string;
  created_at: string;
  expires_at: string | null;
}

export interface AuditLogTable {
  id: string;
  at: string;
  username: string;
  /** e.g. case.read, case.list */
  action: string;
  /** What was read: a case number, or the query of a listing. */
  subject: string;
  address: string | null;
}

export interface DepartmentsTable {
  code: string;
  name: string;
  /** 0: no new cases are dispatched to it; its open cases stay with it. */
  active: number;
  email: string | null;
  fax: string | null;
  /** How dispatched cases reach it: email | fax. */
  notify_by: string;
  phone: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface LoginFailuresTable {
  /** `u:<username>` or `a:<address>`. */
  key: string;
  at: string;
}

export interface OutboxTable {
  id: string;
  /** What the message is about, e.g. case.created; its template. */
  kind: string;
  /** sms | email | fax | voice */
  channel: string;
  /** A phone number, an email address, or a fax number. */
  recipient: string;
  lang: string;
  subject: string | null;
  body: string;
  case_id: string | null;
  /** queued | sending | sent | delivered | failed */
  status: string;
  /** Send attempts so far; also the claim's compare-and-set token. */
  attempts: number;
  next_attempt_at: string;
  /** While `sending`: after this another process may take the message over. */
  lease_until: string | null;
  /** The provider's id (Twilio SID, SMTP message id), matched by delivery callbacks. */
  provider_id: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
  updated_at: string;
}

export interface NotificationRunsTable {
  /** e.g. digest.overdue */
  name: string;
  /** e.g. the China date 2026-11-24 */
  period: string;
  at: string;
}

export interface CallEventsTable {
  /** `<ms since epoch, 13 digits>-<random>`: sorts a call's events across nodes. */
  id: string;
  call_sid: string;
  type: string;
  at: string;
  /** The event as JSON. */
  body: string;
}

export interface SuggestionFeedbackTable {
  id: string;
  call_sid: string;
  article_id: string;
  /** 1 helpful, 0 not. */
  helpful: number;
  /** The words the suggestion was made for. */
  query: string;
  username: string;
  at: string;
}

export interface CallAssignmentsTable {
  call_sid: string;
  username: string;
  at: string;
}

export interface Database {
  call_assignments: CallAssignmentsTable;
  reports: ReportsTable;
  report_word_days: ReportWordDaysTable;
  report_word_days_done: ReportWordDaysDoneTable;
  report_days: ReportDaysTable;
  call_events: CallEventsTable;
  suggestion_feedback: SuggestionFeedbackTable;
  notification_runs: NotificationRunsTable;
  outbox: OutboxTable;
  login_failures: LoginFailuresTable;
  departments: DepartmentsTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  user_sessions: UserSessionsTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  case_deadline_misses: CaseDeadlineMissesTable;
  case_sequences: CaseSequencesTable;
  knowledge_answers: KnowledgeAnswersTable;
  flow_versions: FlowVersionsTable;
  flow_aliases: FlowAliasesTable;
  calls: CallsTable;
  sms_sessions: SmsSessionsTable;
  sms_opt_outs: SmsOptOutsTable;
}

export interface ReportsTable {
  /** day | week | month */
  kind: string;
  period_from: string;
  period_to: string;
  generated_at: string;
  /** The Report, JSON. */
  body: string;
}

export interface ReportWordDaysTable {
  /** A China date, YYYY-MM-DD. */
  day: string;
  /** The case's department when counted ('' for none). */
  department: string;
  word: string;
  n: number;
}

export interface ReportDaysTable {
  /** A China date, YYYY-MM-DD. */
  day: string;
  computed_at: string;
  /** The day's PeriodRecord, JSON. */
  body: string;
}

export interface ReportWordDaysDoneTable {
  day: string;
  at: string;
}
