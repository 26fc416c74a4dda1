import http from 'node:http';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import type { DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { openStore, type Store } from './store/index.ts';
import { CallEvents } from './events.ts';
import { createMetrics, type Metrics } from './ops/metrics.ts';
import type { Implementations } from './flows/implementations.ts';
import { flowImplementations } from './wiring.ts';
import { KnowledgeAnswers } from './knowledge/answers.ts';
import type { SmsSender } from './notifications/sms-sender.ts';
import { FlowRuntime } from './flows/runtime.ts';
import { FlowRejected, FlowVersions } from './flows/versions.ts';
import { listFlowFiles, readFlowFile } from './flows/files.ts';
import { flowsRouter } from './flows/routes.ts';
import { Users } from './users/service.ts';
import { authRouter, authenticate, requireRole } from './users/routes.ts';
import { LoginLimiter } from './users/limiter.ts';
import { formatIssue } from './flows/load.ts';
import { twilioWebhooks } from './twilio/webhook.ts';
import { smsWebhooks } from './sms/routes.ts';
import { Calls } from './voice/calls.ts';
import { VoiceService } from './voice/service.ts';
import { voiceWebhooks } from './voice/routes.ts';
import { SmsService } from './sms/service.ts';
import { KnowledgeBase } from './knowledge/service.ts';
import { knowledgeRouter } from './knowledge/routes.ts';
import { WorkCalendar } from './cases/calendar.ts';
import { DeadlinePolicy } from './cases/deadlines.ts';
import { Cases } from './cases/service.ts';
import { DeadlineScheduler } from './cases/scheduler.ts';
import { Router } from './cases/routing.ts';
import { casesRouter } from './cases/routes.ts';
import { Departments } from './departments/service.ts';
import { departmentsRouter } from './departments/routes.ts';
import { Outbox } from './notifications/outbox.ts';
import { OutboxDispatcher, type DispatcherOptions } from './notifications/dispatcher.ts';
import { channelSenders } from './notifications/channels.ts';
import { Templates } from './notifications/templates.ts';
import { outboxStatusWebhooks, outboxTexts, queueCaseMessages } from './notifications/service.ts';
import { OverdueDigest } from './notifications/digest.ts';
import { articleSendRouter } from './notifications/routes.ts';
import { Open311Services } from './open311/services.ts';
import { open311Router } from './open311/routes.ts';
import { casesOpenApi } from './cases/openapi.ts';
import { AuditLog } from './users/audit.ts';
import { twilioClient } from './notifications/twilio-client.ts';
import { CallLog } from './assist/log.ts';
import { AssistGateway } from './assist/gateway.ts';
import { LiveSuggestions } from './assist/suggestions.ts';
import { RedisLink } from './assist/redis.ts';
import { Assignments } from './assist/assignments.ts';
import { SuggestionFeedback } from './assist/feedback.ts';
import { assistRouter } from './assist/routes.ts';
import { transcriptionWebhooks } from './assist/transcription.ts';
import { panelRouter } from './assist/panel.ts';
import type { CaseNotice } from './assist/protocol.ts';
import { reportsRouter } from './reports/routes.ts';
import { repeatEvery } from './ops/repeat.ts';
import { ReportsConfig } from './reports/config.ts';
import { reportSources } from './reports/sources.ts';
import { TextRecords } from './sms/measures.ts';
import { ReportArchive } from './reports/archive.ts';
import { buildReport } from './reports/report.ts';
import { periodOf } from './reports/periods.ts';

export interface Hotline {
  /** The HTTP API and pages; `handle` serves these and Twilio's webhooks. */
  app: express.Express;
  handle: http.RequestListener;
  config: Config;
  store: Store;
  flows: FlowVersions;
  knowledge: KnowledgeBase;
  events: CallEvents;
  metrics: Metrics;
  log: Logger;
  /** Names of shipped flow files that failed to load at start-up, with their problems. */
  flowProblems: string[];
  /** Case deadlines on the official working-day calendar. */
  deadlines: DeadlinePolicy;
  cases: Cases;
  users: Users;
  /** Set on the first run only: the admin's one-time password, for the console. */
  firstAdminPassword?: string;
  /** The department each case goes to, by the city's rules. */
  router: Router;
  /** The department catalogue supervisors keep current. */
  departments: Departments;
  /** Every outgoing message, a row before it is sent. */
  outbox: Outbox;
  /** Sends what the outbox holds while the server listens. */
  dispatcher: OutboxDispatcher;
  /** The supervisors' morning mail of overdue cases. */
  digest: OverdueDigest;
  /** Scans the deadlines while the server listens. */
  scheduler: DeadlineScheduler;
  /** Start-up warnings about the working-day calendar (a year it does not cover). */
  calendarWarnings: string[];
  /** The agent panels' live connection (Socket.IO). */
  gateway: AssistGateway;
  /** The reports of closed days, weeks and months, stored once each. */
  reports: ReportArchive;
  /** The text channel (its sweep of quiet conversations runs while the server listens). */
  smsChannel: SmsService;
  listen(): Promise<http.Server>;
  close(): Promise<void>;
}

export interface HotlineOptions {
  logDestination?: DestinationStream;
  implementations?: Implementations;
  defaultVoiceFlow?: string;
  defaultSmsFlow?: string;
  /** Apply knowledge edits as they happen (default true). */
  watchKnowledge?: boolean;
  smsSender?: SmsSender;
  /** The clock, for tests of what start-up says about the calendar. */
  now?: () => Date;
  /** Retry timing of the outbox sender (tests shorten it). */
  outbox?: DispatcherOptions;
}

/**
 * The composition root: every capability is built and wired here, from configuration,
 * and nowhere else.
 */
export async function createHotline(config: Config, opts: HotlineOptions = {}): Promise<Hotline> {
  const log = createLogger(config.logLevel, opts.logDestination);
  // A city's deadline rules are never silently replaced: a broken file stops the start with file and line.
  const deadlines = DeadlinePolicy.load(path.join(config.casesDir, 'deadlines.yaml'), WorkCalendar.load(path.join(config.casesDir, 'calendar.yaml')));
  const router = Router.load(path.join(config.casesDir, 'routing.yaml'));
  const templates = Templates.load(config.notificationsDir);
  const services = Open311Services.load(path.join(config.casesDir, 'services.yaml'));
  const reportsConfig = ReportsConfig.load(path.join(config.casesDir, 'reports.yaml'));
  const calendarWarnings = deadlines.coverageWarnings((opts.now ?? (() => new Date()))());
  for (const w of calendarWarnings) log.warn({ casesDir: config.casesDir }, `working-day calendar: ${w}`);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, backgroundCheckpoints: true });
  const events = new CallEvents((err, e) => log.error({ err, type: e.type, callSid: e.callSid }, 'a call event listener failed'));
  const knowledge = await KnowledgeBase.open({
    dir: config.knowledgeDir,
    cacheDir: path.join(config.dataDir, 'knowledge-cache'),
    log,
    watch: opts.watchKnowledge ?? true,
    warmUp: true,
  });
  // Every outgoing message is a row in the outbox first; its sender starts with the server.
  const outbox = new Outbox(store.db);
  const senders = channelSenders(config, log);
  const dispatcher = new OutboxDispatcher(outbox, senders, log, { everyMs: config.outboxSeconds * 1000, leaseMs: config.outboxLeaseSeconds * 1000, ...opts.outbox });
  const sms = opts.smsSender ?? outboxTexts(outbox, { configured: !!senders.sms, wake: () => dispatcher.kick() });
  const answers = new KnowledgeAnswers(store.db);
  const cases = new Cases(store.db, deadlines);
  const departments = new Departments(store.db);
  // Five wrong PINs for a case (or twenty from one number) within 15 minutes, and it is not told for a while.
  const pins = new LoginLimiter(store.db);
  const impl = opts.implementations ?? flowImplementations({ kb: knowledge, answers, sms, cases, departments, pins: { retryAfter: (k, f) => pins.retryAfter(k, f), failed: (k, f) => pins.failed(k, f) }, log });
  const flows = new FlowVersions(store.db, impl);
  const runtime = new FlowRuntime(impl);
  const calls = new Calls(store.db);
  // Read at scrape time, after both channels exist.
  const metrics = createMetrics((ch) => (ch === 'voice' ? calls.activeCount() : smsChannel.activeCount()));
  const smsChannel = new SmsService({ db: store.db, flows, runtime, events, metrics, log, defaultFlow: opts.defaultSmsFlow ?? 'sms' });
  const voice = new VoiceService({
    calls,
    flows,
    runtime,
    events,
    metrics,
    log,
    publicUrl: config.publicUrl,
    defaultFlow: opts.defaultVoiceFlow ?? 'main',
    humanQueue: config.humanQueue,
  });

  const flowProblems = await publishShippedFlows(config.flowsDir, flows, log);
  const seeded = await departments.seed(router.file.departments);
  if (seeded > 0) log.info({ added: seeded }, 'department catalogue: added the departments of cases/routing.yaml the store did not have');
  try {
    router.checkAgainst(await departments.list());
  } catch (err) {
    knowledge.close();
    await store.close();
    throw err;
  }
  const users = new Users(store.db);
  // First run: an admin with a one-time password, shown once on the console (never logged).
  let firstAdminPassword: string | undefined;
  if ((await users.count()) === 0) {
    firstAdminPassword = (await users.add({ username: 'admin', roles: ['admin'], mustChangePassword: true })).password;
    log.info({ username: 'admin' }, 'first run: created the admin user with a one-time password (shown on the console)');
  }
  const scheduler = new DeadlineScheduler(cases, log, config.deadlineScanSeconds * 1000);

  // Agent assist: every call event is stored and pushed to the panels; the caller's words bring suggestions.
  const callLog = new CallLog(store.db);
  const assignments = new Assignments(store.db);
  let gateway: AssistGateway | undefined;
  // Panels on this node reconnect (and so resynchronise) when Redis was away: what it should have carried is lost.
  const redis = config.redisUrl ? await RedisLink.connect(config.redisUrl, config.redisPrefix, events, log, () => gateway?.resyncAll()) : undefined;
  gateway = new AssistGateway({ users, log: callLog, events, logger: log, overdueCases: () => cases.overdueCount() });
  if (redis) {
    redis.adapt(gateway.io);
    gateway.multiNode = true;
  }
  const suggestions = new LiveSuggestions(knowledge, events);
  answers.onRecord((a) => {
    if (a.channel === 'web') return;
    const title = a.articleId ? knowledge.get(a.articleId)?.title : undefined;
    events.emit({ type: 'call.answer', callSid: a.callSid, channel: a.channel, articleId: a.articleId, title, score: a.score, confidence: a.confidence, decision: a.decision, question: a.question, at: new Date().toISOString() });
  });
  events.on((e, local) => {
    // An agent who did not answer the take-over: the caller is back in the queue, free for anyone.
    if (local && e.type === 'call.handed_off' && e.unansweredBy) void assignments.release(e.callSid, e.unansweredBy).catch(() => undefined);
  });
  // Case changes reach the panels once their transaction has committed (a rolled-back one tells nobody).
  cases.onCommit((changes) => {
    for (const change of changes) {
      const c = change.case;
      const notice: CaseNotice = { caseId: c.id, department: c.department, state: c.state, kind: change.kind };
      gateway.caseChanged(notice);
      // A case moved to another department leaves the inbox it was in.
      if (change.kind === 'moved' && change.fromDepartment && change.fromDepartment !== c.department) gateway.caseChanged({ ...notice, department: change.fromDepartment });
      if (change.kind === 'deadline') gateway.alert({ caseId: c.id, department: c.department, kind: change.miss.kind, step: change.miss.step, dueAt: change.miss.dueAt, escalated: change.miss.escalated, at: new Date().toISOString() });
    }
  });

  const digest = new OverdueDigest({ db: store.db, cases, departments, outbox, templates, supervisors: config.supervisorEmails, log, wake: () => dispatcher.kick() });
  queueCaseMessages({
    cases,
    outbox,
    templates,
    departments,
    supervisors: config.supervisorEmails,
    // Callback calls only where there is a number to call from (otherwise agents call back).
    callbackAfterMs: config.voiceFrom ? config.callbackAfterMinutes * 60_000 : undefined,
    wake: () => dispatcher.kick(),
  });

  const app = express();
  app.disable('x-powered-by');
  // TwiML is never cached by Twilio; hashing every answer for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      await store.ping();
      checks.store = 'ok';
    } catch (err) {
      checks.store = `unreachable: ${(err as Error).message}`;
    }
    try {
      const live = await flows.list();
      checks.flows = live.length > 0 ? `ok (${live.map((f) => `${f.flowId}@${f.version}`).join(', ')})` : 'no flow is live';
    } catch {
      checks.flows = 'unknown (store unreachable)';
    }
    const ready = checks.store === 'ok' && checks.flows!.startsWith('ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use('/open311/v2', open311Router({ cases, departments, services, apiKeys: config.open311ApiKeys, log }));
  app.use('/api', authenticate(users, config.opsToken));
  app.use('/api', authRouter(users, new LoginLimiter(store.db), { secureCookie: config.publicUrl.startsWith('https:'), log }));
  app.use('/api/flows', requireRole('ops'), express.json({ limit: '1mb' }), flowsRouter(flows));
  app.get('/api/openapi.json', (_req, res) => {
    res.json(casesOpenApi(config.publicUrl));
  });
  const audit = new AuditLog(store.db);
  let twilioRest: ReturnType<typeof twilioClient> | undefined;
  app.use('/api/cases', requireRole('agent', 'handler', 'supervisor'), casesRouter(cases, router, departments, audit, (id) => knowledge.get(id)?.department));
  app.use('/api/departments', requireRole('agent', 'handler', 'supervisor', 'editor', 'ops'), departmentsRouter(departments, audit, { fallback: router.fallback }));
  app.use('/api/knowledge', articleSendRouter({ kb: knowledge, outbox, configured: (c) => !!senders[c], audit, wake: () => dispatcher.kick(), allowed: requireRole('agent', 'supervisor') }));
  app.use('/api/knowledge', requireRole('ops', 'editor', 'agent', 'supervisor'), knowledgeRouter(knowledge));

  const sources = reportSources(store.db, cases, reportsConfig);
  const texts = new TextRecords(store.db);
  const reports = new ReportArchive(store.db, (kind, date) => buildReport(sources, { kind, date }), log, undefined, (date) => sources.days!.of(periodOf('day', date)));
  app.use('/api/reports', requireRole('supervisor', 'handler'), reportsRouter(sources, reports));
  app.use(
    '/api',
    assistRouter({
      log: callLog,
      events,
      assignments,
      feedback: new SuggestionFeedback(store.db),
      answers,
      audit,
      twilio: () => (twilioRest ??= twilioClient(config.accountSid, config.authToken, config.twilioApiUrl)),
      publicUrl: config.publicUrl,
      voice: { accountSid: config.accountSid, apiKey: config.twilioApiKey, apiSecret: config.twilioApiSecret, twimlAppSid: config.twimlAppSid },
      logger: log,
      contact: async (sid) => (await calls.summary(sid)) ?? (await texts.summary(sid)),
      articleTitle: (id) => knowledge.get(id)?.title,
    }),
  );
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not_found', message: 'no such API' });
  });
  app.use(panelRouter(config.uiDir));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    log.warn({ err: { message: (err as Error).message, type: (err as { type?: string }).type }, path: req.path }, 'request could not be parsed');
    const status = (err as { status?: number }).status;
    res.status(status && status >= 400 && status < 500 ? status : 400).json({ error: 'bad_request', message: (err as Error).message });
  };
  app.use(onError);

  // Twilio's webhooks bypass Express (see twilioWebhooks); everything else is the app.
  const twilioHooks = twilioWebhooks({
    authToken: config.authToken,
    publicUrl: config.publicUrl,
    log,
    metrics,
    channels: { '/twilio/voice': voiceWebhooks(voice, log), '/twilio/sms': smsWebhooks(smsChannel, log), '/twilio/outbox': outboxStatusWebhooks(outbox, log, (p) => voice.status(p)), '/twilio/transcription': transcriptionWebhooks(events, log) },
  });
  const handle: http.RequestListener = (req, res) => {
    if (!twilioHooks(req, res)) app(req, res);
  };

  let server: http.Server | undefined;
  let smsSweep: { stop(): Promise<void> } | undefined;
  return {
    app,
    handle,
    config,
    store,
    flows,
    knowledge,
    events,
    metrics,
    log,
    flowProblems,
    deadlines,
    cases,
    users,
    firstAdminPassword,
    router,
    departments,
    outbox,
    dispatcher,
    digest,
    scheduler,
    calendarWarnings,
    gateway,
    reports,
    smsChannel,
    listen() {
      return new Promise((resolve, reject) => {
        server = http.createServer(handle);
        server.keepAliveTimeout = 65_000;
        server.once('error', reject);
        gateway.attach(server);
        server.listen(config.port, config.host, () => {
          scheduler.start();
          dispatcher.start();
          digest.start(config.deadlineScanSeconds * 1000);
          reports.start();
          smsSweep ??= repeatEvery(60_000, () => smsChannel.closeIdle(), (err) => log.error({ err }, 'closing quiet text conversations failed; retrying at the next interval'));
          resolve(server!);
        });
      });
    },
    async close() {
      await scheduler.stop();
      await digest.stop();
      await reports.stop();
      await smsSweep?.stop();
      await dispatcher.stop();
      suggestions.close();
      // The listener first: nothing new arrives; then the sockets; Redis last (a push may still be on its way).
      const closing = server && new Promise<void>((r) => server!.close(() => r()));
      server?.closeAllConnections();
      await gateway.close();
      await closing;
      await redis?.close();
      knowledge.close();
      await store.close();
    },
  };
}

/**
 * Publish each shipped flow whose content is new. A broken file is reported with file and
 * line, and the last good version keeps serving.
 */
export async function publishShippedFlows(dir: string, flows: FlowVersions, log: Logger): Promise<string[]> {
  const problems: string[] = [];
  let files: string[] = [];
  try {
    files = listFlowFiles(dir);
  } catch (err) {
    problems.push(`${dir}: ${(err as Error).message}`);
    log.error({ dir }, 'cannot read the flows folder; serving the versions already published');
    return problems;
  }
  for (const file of files) {
    const rel = path.relative(process.cwd(), file) || file;
    try {
      const { version, created } = await flows.publish(rel, readFlowFile(file), `shipped file ${path.basename(file)}`, 'startup', { onlyIfNew: true });
      if (created) log.info({ flow: version.flowId, version: version.version, hash: version.hash.slice(0, 12) }, 'published shipped flow');
    } catch (err) {
      if (err instanceof FlowRejected) {
        for (const issue of err.issues) problems.push(formatIssue(issue));
        log.error({ file: rel, issues: err.issues.map(formatIssue) }, 'shipped flow refused; the last good version keeps serving');
      } else throw err;
    }
  }
  return problems;
}
