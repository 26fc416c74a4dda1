import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * Versioned migrations, written with the schema builder so one list serves SQLite and
 * PostgreSQL. Never edit a migration that has shipped: add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_flows_and_calls': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('flow_versions')
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('author', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
        .execute();
      await db.schema
        .createTable('flow_aliases')
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('alias', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_aliases_pk', ['flow_id', 'alias'])
        .execute();
      await db.schema
        .createTable('calls')
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('flow_version', 'integer', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('last_step', 'integer', (c) => c.notNull())
        .addColumn('last_response', 'text', (c) => c.notNull())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('handoff_target', 'text')
        .addColumn('twilio_status', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('handed_off_at', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('duration_s', 'integer')
        .execute();
      await db.schema.createIndex('calls_status_idx').on('calls').columns(['status', 'started_at']).execute();
      await db.schema
        .createTable('sms_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('flow_version', 'integer', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('last_message_sid', 'text')
        .addColumn('last_response', 'text')
        .addColumn('started_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema.createIndex('sms_sessions_sender_idx').on('sms_sessions').columns(['from_number', 'to_number', 'status']).execute();
      await db.schema.createIndex('sms_sessions_message_idx').on('sms_sessions').columns(['from_number', 'last_message_sid']).execute();
      await db.schema
        .createTable('sms_opt_outs')
        .addColumn('phone', 'text', (c) => c.primaryKey())
        .addColumn('opted_out_at', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['sms_opt_outs', 'sms_sessions', 'calls', 'flow_aliases', 'flow_versions']) await db.schema.dropTable(t).execute();
    },
  },
  '0002_knowledge_answers': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('knowledge_answers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('question', 'text', (c) => c.notNull())
        .addColumn('article_id', 'text')
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('confidence', 'real', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('knowledge_answers_call_idx').on('knowledge_answers').columns(['call_sid']).execute();
      await db.schema.createIndex('knowledge_answers_at_idx').on('knowledge_answers').columns(['at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('knowledge_answers').execute();
    },
  },
  '0003_cases': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('caller_phone', 'text', (c) => c.notNull())
        .addColumn('caller_name', 'text')
        .addColumn('district', 'text')
        .addColumn('address', 'text')
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text')
        .addColumn('article_id', 'text')
        .addColumn('department', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('due_step', 'text')
        .addColumn('due_at', 'text')
        .addColumn('warn_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // The scheduler's scans and a department's inbox.
      await db.schema.createIndex('cases_due_idx').on('cases').columns(['due_at']).execute();
      await db.schema.createIndex('cases_warn_idx').on('cases').columns(['warn_at']).execute();
      await db.schema.createIndex('cases_department_idx').on('cases').columns(['department', 'state', 'created_at']).execute();
      await db.schema.createIndex('cases_caller_idx').on('cases').columns(['caller_phone', 'created_at']).execute();
      await db.schema
        .createTable('case_events')
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text', (c) => c.notNull())
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('by_user', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('note', 'text')
        .addColumn('event', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_events_pk', ['case_id', 'seq'])
        .execute();
      await db.schema
        .createTable('case_deadline_misses')
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('step', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('due_at', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        // One row per miss: the constraint, not the scheduler, makes a miss count once.
        .addPrimaryKeyConstraint('case_deadline_misses_pk', ['case_id', 'step', 'kind', 'due_at'])
        .execute();
      await db.schema
        .createTable('case_sequences')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('last', 'integer', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['case_sequences', 'case_deadline_misses', 'case_events', 'cases']) await db.schema.dropTable(t).execute();
    },
  },
  '0004_users': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('departments', 'text', (c) => c.notNull())
        .addColumn('must_change_password', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('user_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['user_sessions', 'users']) await db.schema.dropTable(t).execute();
    },
  },
  '0005_audit_log': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('address', 'text')
        .execute();
      await db.schema.createIndex('audit_log_subject_idx').on('audit_log').columns(['subject', 'at']).execute();
      await db.schema.createIndex('audit_log_user_idx').on('audit_log').columns(['username', 'at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('audit_log').execute();
    },
  },
  '0006_case_next_check': {
    async up(db: Kysely<any>) {
      // The next instant the deadline scheduler has anything to do for a case (its warning
      // point, then its deadline, then nothing): the scan reads only what is due, never the
      // backlog of misses already recorded.
      await db.schema.alterTable('cases').addColumn('next_check_at', 'text').execute();
      await db.updateTable('cases').set((eb) => ({ next_check_at: eb.ref('warn_at') })).execute();
      await db.schema.createIndex('cases_next_check_idx').on('cases').columns(['next_check_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('cases_next_check_idx').execute();
      await db.schema.alterTable('cases').dropColumn('next_check_at').execute();
    },
  },
  '0007_departments': {
    async up(db: Kysely<any>) {
      // The department catalogue lives in the store so supervisors keep it current without a
      // redeploy; cases/routing.yaml only seeds it on first start.
      await db.schema
        .createTable('departments')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('email', 'text')
        .addColumn('fax', 'text')
        .addColumn('notify_by', 'text', (c) => c.notNull().defaultTo('email'))
        .addColumn('phone', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('departments').execute();
    },
  },
  '0008_login_failures': {
    async up(db: Kysely<any>) {
      // Failed sign-ins in the store, so every server process behind one balancer counts the same guesses.
      await db.schema
        .createTable('login_failures')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_failures_key_idx').on('login_failures').columns(['key', 'at']).execute();
      await db.schema.createIndex('login_failures_at_idx').on('login_failures').columns(['at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('login_failures').execute();
    },
  },
  '0009_outbox': {
    async up(db: Kysely<any>) {
      // Every outgoing message is a row first, written in the transaction of the change that
      // causes it; the dispatcher sends it afterwards, with retries.
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('lang', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('case_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'text', (c) => c.notNull())
        .addColumn('lease_until', 'text')
        .addColumn('provider_id', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_case_idx').on('outbox').columns(['case_id']).execute();
      await db.schema.createIndex('outbox_provider_idx').on('outbox').columns(['provider_id']).execute();
      // The language the caller used, for what is sent back to them.
      await db.schema.alterTable('cases').addColumn('lang', 'text', (c) => c.notNull().defaultTo('zh-CN')).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('cases').dropColumn('lang').execute();
      await db.schema.dropTable('outbox').execute();
    },
  },
  '0010_case_location': {
    async up(db: Kysely<any>) {
      // Where a request is about, as Open311 apps report it (WGS84), for maps and clusters of repeats.
      await db.schema.alterTable('cases').addColumn('lat', 'double precision').execute();
      await db.schema.alterTable('cases').addColumn('lng', 'double precision').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('cases').dropColumn('lng').execute();
      await db.schema.alterTable('cases').dropColumn('lat').execute();
    },
  },
  '0011_case_pin': {
    async up(db: Kysely<any>) {
      // Four digits texted to the caller with the case number: with them the status can be
      // asked from another phone. Existing cases get none (only their own number may ask).
      await db.schema.alterTable('cases').addColumn('pin', 'text').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('cases').dropColumn('pin').execute();
    },
  },
  '0012_notification_runs': {
    async up(db: Kysely<any>) {
      // A periodic message (the supervisors' daily digest) is sent once per period: the first
      // process to insert the period's row sends it, in the same transaction.
      await db.schema
        .createTable('notification_runs')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('notification_runs_pk', ['name', 'period'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('notification_runs').execute();
    },
  },
  '0013_call_events': {
    async up(db: Kysely<any>) {
      // Every call event the agent panel shows, kept so a panel that reconnects (or a node that
      // did not see the event) gets the whole call again; ids sort the events of a call.
      await db.schema
        .createTable('call_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('call_events_call_idx').on('call_events').columns(['call_sid', 'id']).execute();
      await db.schema.createIndex('call_events_type_idx').on('call_events').columns(['type', 'at']).execute();
      // Agents mark suggestions helpful or not: editors see which articles help.
      await db.schema
        .createTable('suggestion_feedback')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('article_id', 'text', (c) => c.notNull())
        .addColumn('helpful', 'integer', (c) => c.notNull())
        .addColumn('query', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      // Who took a queued call over: the first agent's row wins, on any node.
      await db.schema
        .createTable('call_assignments')
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('suggestion_feedback_article_idx').on('suggestion_feedback').columns(['article_id']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('call_assignments').execute();
      await db.schema.dropTable('suggestion_feedback').execute();
      await db.schema.dropTable('call_events').execute();
    },
  },
  '0014_report_indexes': {
    async up(db: Kysely<any>) {
      // The service measures count the calls citizens made, not the callbacks we placed.
      await db.schema.alterTable('calls').addColumn('direction', 'text', (c) => c.notNull().defaultTo('inbound')).execute();
      await db.schema.createIndex('calls_started_idx').on('calls').columns(['started_at']).execute();
      // The case measures count moves by when they were made, and cases by when they were opened.
      await db.schema.createIndex('case_events_at_idx').on('case_events').columns(['at', 'type']).execute();
      await db.schema.createIndex('cases_created_idx').on('cases').columns(['created_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('cases_created_idx').execute();
      await db.schema.dropIndex('case_events_at_idx').execute();
      await db.schema.dropIndex('calls_started_idx').execute();
      await db.schema.alterTable('calls').dropColumn('direction').execute();
    },
  },
  '0015_reports': {
    async up(db: Kysely<any>) {
      // Each closed day, week and month is reported once, by whichever process first inserts its row.
      await db.schema
        .createTable('reports')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('period_from', 'text', (c) => c.notNull())
        .addColumn('period_to', 'text', (c) => c.notNull())
        .addColumn('generated_at', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('reports_pk', ['kind', 'period_from'])
        .execute();
      // Words of case descriptions counted once per closed China day and department: rising
      // words compare a period with the months before it without reading their descriptions again.
      await db.schema
        .createTable('report_word_days')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('word', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('report_word_days_pk', ['day', 'department', 'word'])
        .execute();
      await db.schema.createTable('report_word_days_done').addColumn('day', 'text', (c) => c.primaryKey()).addColumn('at', 'text', (c) => c.notNull()).execute();
      // First-contact resolution and the SMS measures look contacts up by case, number and start.
      await db.schema.createIndex('cases_call_idx').on('cases').columns(['call_sid']).execute();
      await db.schema.createIndex('outbox_recipient_idx').on('outbox').columns(['recipient', 'created_at']).execute();
      await db.schema.createIndex('sms_sessions_started_idx').on('sms_sessions').columns(['started_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('sms_sessions_started_idx').execute();
      await db.schema.dropIndex('outbox_recipient_idx').execute();
      await db.schema.dropIndex('cases_call_idx').execute();
      await db.schema.dropTable('report_word_days_done').execute();
      await db.schema.dropTable('report_word_days').execute();
      await db.schema.dropTable('reports').execute();
    },
  },
  '0016_report_days': {
    async up(db: Kysely<any>) {
      // The centre's figures of each settled day, added up into weeks, months and their comparisons.
      await db.schema
        .createTable('report_days')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('report_days').execute();
    },
  },
  '0017_sms_idle_idx': {
    async up(db: Kysely<any>) {
      // The sweep that closes quiet text conversations looks only at the open ones.
      await db.schema.createIndex('sms_sessions_idle_idx').on('sms_sessions').columns(['status', 'updated_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('sms_sessions_idle_idx').execute();
    },
  },
  '0018_call_assignments_at': {
    async up(db: Kysely<any>) {
      // The service measures read a period's take-overs as a range.
      await db.schema.createIndex('call_assignments_at_idx').on('call_assignments').columns(['at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('call_assignments_at_idx').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
