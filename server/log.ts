import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** A run of 7+ digits, optionally with a leading + and separators, is treated as a phone number. */
const PHONE_RE = /(?<![\w+])\+?\d[\d\s-]{5,}\d(?!\w)/g;
/** Row ids: their all-digit groups (3f2a1b4c-1234-5678-…) are not phone numbers. */
const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Keep the country/operator prefix and the last four digits, enough to tell calls apart. */
export function maskPhone(value: string): string {
  let out = '';
  let last = 0;
  for (const id of value.matchAll(UUID_RE)) {
    out += maskPhonesIn(value.slice(last, id.index)) + id[0];
    last = id.index + id[0].length;
  }
  return last === 0 ? maskPhonesIn(value) : out + maskPhonesIn(value.slice(last));
}

function maskPhonesIn(value: string): string {
  return value.replace(PHONE_RE, (m) => {
    const digits = m.replace(/[^\d]/g, '');
    if (digits.length < 7) return m;
    const plus = m.startsWith('+') ? '+' : '';
    // Long numbers keep a 3-digit prefix (country/operator); short ones only the last four.
    const keepHead = Math.max(0, Math.min(3, digits.length - 8));
    return plus + digits.slice(0, keepHead) + '*'.repeat(digits.length - keepHead - 4) + digits.slice(-4);
  });
}

/** Fields that hold digits which are not phone numbers (a case number is read out by design). */
const NOT_PHONES = new Set(['caseId']);

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhone(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) {
    // Driver and HTTP errors quote the values they choked on, phone numbers included.
    const e = value as Error & { code?: unknown };
    return { type: e.name, message: maskPhone(e.message), stack: maskPhone(e.stack ?? ''), ...(e.code !== undefined ? { code: e.code } : {}) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = NOT_PHONES.has(k) && typeof v === 'string' ? v : maskDeep(v, depth + 1);
  return out;
}

/**
 * Structured JSON logs. Phone numbers are masked in every field and message, and the
 * secrets we know of are redacted by path, so a log can leave the machine.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hotline' },
      redact: {
        paths: ['authToken', 'opsToken', 'smtpUrl', 'open311ApiKeys', 'twilioApiSecret', '*.twilioApiSecret', 'redisUrl', '*.redisUrl', 'token', '*.authToken', '*.opsToken', '*.smtpUrl', '*.open311ApiKeys', 'api_key', '*.api_key', 'headers.authorization', 'headers["x-twilio-signature"]', 'password'],
        censor: '[redacted]',
      },
      formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // pino would copy a bare error's message into msg unmasked; hand it over masked.
          const [first, ...rest] = args as unknown[];
          const lead = first instanceof Error ? [{ err: maskDeep(first) }, ...(rest.length ? [] : [maskPhone(first.message)])] : [first];
          const all = [...lead, ...rest].map((a) => (typeof a === 'string' ? maskPhone(a) : a));
          method.apply(this, all as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
