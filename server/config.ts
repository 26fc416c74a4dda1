import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Everything the server reads from the environment; `.env.example` lists the same names. */
const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.string().url().optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'looks too short for a Twilio auth token').optional(),
  TWILIO_SMS_FROM: z.string().optional(),
  TWILIO_API_URL: z.string().url().optional(),
  HOTLINE_DATA_DIR: z.string().default('./data'),
  HOTLINE_FLOWS_DIR: z.string().default('./flows'),
  HOTLINE_KNOWLEDGE_DIR: z.string().default('./knowledge'),
  HOTLINE_CASES_DIR: z.string().default('./cases'),
  HOTLINE_DEADLINE_SCAN_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  HOTLINE_OPS_TOKEN: z.string().min(16).optional(),
  HOTLINE_HUMAN_QUEUE: z.string().default('general'),
  DATABASE_URL: z.string().optional(),
  SMTP_URL: z.string().regex(/^$|^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().default('示例市12345热线 <hotline@localhost>'),
  HOTLINE_SUPERVISOR_EMAILS: z.string().default(''),
  HOTLINE_NOTIFICATIONS_DIR: z.string().default('./notifications'),
  HOTLINE_OUTBOX_SECONDS: z.coerce.number().min(0.1).max(3600).default(5),
  HOTLINE_OUTBOX_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(60),
  OPEN311_API_KEYS: z.string().default(''),
  TWILIO_VOICE_FROM: z.string().optional(),
  HOTLINE_FAX_GATEWAY: z.string().regex(/^$|^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/, 'a mail domain, like fax.example.com').optional(),
  HOTLINE_FAX_FONT: z.string().optional(),
  HOTLINE_CALLBACK_AFTER_MINUTES: z.coerce.number().min(0).max(100_000).default(60),
  REDIS_URL: z.string().regex(/^$|^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  HOTLINE_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, : _ -').default('hotline'),
  TWILIO_API_KEY: z.string().optional(),
  TWILIO_API_SECRET: z.string().optional(),
  TWILIO_TWIML_APP_SID: z.string().optional(),
  HOTLINE_UI_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** Base URL Twilio calls; signatures are checked against it, never against what the proxy forwarded. */
  publicUrl: string;
  accountSid: string;
  authToken: string;
  /** The number (or messaging service) texts are sent from. */
  smsFrom?: string;
  /** Override of Twilio's REST API base URL (a regional edge, or a loopback stand-in in tests). */
  twilioApiUrl?: string;
  /** True when the auth token was generated locally rather than configured. */
  devAuthToken: boolean;
  opsToken: string;
  devOpsToken: boolean;
  dataDir: string;
  flowsDir: string;
  knowledgeDir: string;
  /** deadlines.yaml and calendar.yaml: the case deadline policy and local working-day calendar. */
  casesDir: string;
  /** How often the deadline scheduler looks for cases nearing or past a deadline. */
  deadlineScanSeconds: number;
  humanQueue: string;
  databaseUrl?: string;
  /** Where mail goes out (smtp://user:password@host:587); without it mail waits in the outbox. */
  smtpUrl?: string;
  mailFrom: string;
  /** Who hears of supervision (督办) and overdue cases. */
  supervisorEmails: string[];
  /** The message templates (one YAML file per kind). */
  notificationsDir: string;
  /** How often the outbox is looked at when no change wakes it. */
  outboxSeconds: number;
  /** How long a claimed message is one process's before another may take it over (longer than any send). */
  outboxLeaseSeconds: number;
  /** Keys that may file service requests over Open311 (POST /open311/v2/requests). */
  open311ApiKeys: string[];
  /** The number outbound calls (the callback, 回访) come from; without it no callback calls are placed. */
  voiceFrom?: string;
  /** Minutes after a department's reply before the callback call is placed. */
  callbackAfterMinutes: number;
  /** The email-to-fax gateway's domain: a fax to +862087654321 is mailed to 862087654321@<gateway>. */
  faxGateway?: string;
  /** The CJK font faxes are set in (`file` or `file#face`); default: the first one installed. */
  faxFont?: string;
  /** With it, several nodes share the panels' sockets and every call's events. */
  redisUrl?: string;
  /** Names of this hotline's channels and keys in Redis (several hotlines can share one Redis). */
  redisPrefix: string;
  /** The browser phone's Access Tokens are signed with this API key (SK…) and secret. */
  twilioApiKey?: string;
  twilioApiSecret?: string;
  /** The TwiML app the browser phone's outgoing calls use. */
  twimlAppSid?: string;
  /** The built agent panel (default: agent-ui/dist of this package). */
  uiDir: string;
  logLevel: string;
}

export class ConfigError extends Error {}

/**
 * Read a token from the data dir, creating it on first use. No configuration ever
 * accepts unsigned webhooks: without TWILIO_AUTH_TOKEN the server signs with a local one.
 */
function localSecret(dataDir: string, file: string, make: () => string): string {
  const p = path.join(dataDir, file);
  if (existsSync(p)) {
    const v = readFileSync(p, 'utf8').trim();
    if (v) return v;
  }
  const v = make();
  writeFileSync(p, v + '\n', { mode: 0o600 });
  chmodSync(p, 0o600);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.HOTLINE_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const authToken = e.TWILIO_AUTH_TOKEN ?? localSecret(dataDir, 'dev-twilio-auth-token', () => randomBytes(16).toString('hex'));
  const accountSid = e.TWILIO_ACCOUNT_SID ?? localSecret(dataDir, 'dev-twilio-account-sid', () => 'AC' + randomBytes(16).toString('hex'));
  const opsToken = e.HOTLINE_OPS_TOKEN ?? localSecret(dataDir, 'dev-ops-token', () => randomBytes(24).toString('base64url'));
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    accountSid,
    authToken,
    devAuthToken: !e.TWILIO_AUTH_TOKEN,
    smsFrom: e.TWILIO_SMS_FROM || undefined,
    twilioApiUrl: e.TWILIO_API_URL,
    opsToken,
    devOpsToken: !e.HOTLINE_OPS_TOKEN,
    dataDir,
    flowsDir: path.resolve(e.HOTLINE_FLOWS_DIR),
    knowledgeDir: path.resolve(e.HOTLINE_KNOWLEDGE_DIR),
    casesDir: path.resolve(e.HOTLINE_CASES_DIR),
    deadlineScanSeconds: e.HOTLINE_DEADLINE_SCAN_SECONDS,
    humanQueue: e.HOTLINE_HUMAN_QUEUE,
    databaseUrl: e.DATABASE_URL || undefined,
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    supervisorEmails: e.HOTLINE_SUPERVISOR_EMAILS.split(',').map((x) => x.trim()).filter(Boolean),
    notificationsDir: path.resolve(e.HOTLINE_NOTIFICATIONS_DIR),
    outboxSeconds: e.HOTLINE_OUTBOX_SECONDS,
    outboxLeaseSeconds: e.HOTLINE_OUTBOX_LEASE_SECONDS,
    open311ApiKeys: e.OPEN311_API_KEYS.split(',').map((x) => x.trim()).filter(Boolean),
    voiceFrom: e.TWILIO_VOICE_FROM || undefined,
    callbackAfterMinutes: e.HOTLINE_CALLBACK_AFTER_MINUTES,
    faxGateway: e.HOTLINE_FAX_GATEWAY || undefined,
    faxFont: e.HOTLINE_FAX_FONT || undefined,
    redisUrl: e.REDIS_URL || undefined,
    redisPrefix: e.HOTLINE_REDIS_PREFIX,
    twilioApiKey: e.TWILIO_API_KEY || undefined,
    twilioApiSecret: e.TWILIO_API_SECRET || undefined,
    twimlAppSid: e.TWILIO_TWIML_APP_SID || undefined,
    uiDir: e.HOTLINE_UI_DIR ? path.resolve(e.HOTLINE_UI_DIR) : path.resolve(import.meta.dirname, '../agent-ui/dist'),
    logLevel: e.LOG_LEVEL,
  };
}
