import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Metrics } from '../ops/metrics.ts';
import twilio from 'twilio';
import type { Logger } from '../log.ts';

/**
 * Twilio webhook parameters as plain strings. Twilio sends each once; a forged or mangled
 * request may repeat a name or send something else, and then the first string wins.
 */
export type TwilioParams = Record<string, string>;

/**
 * Parse a form body the way Twilio builds it (WHATWG form encoding: flat names, repeats kept,
 * invalid UTF-8 decoded to U+FFFD), with no parameter cap that could silently drop a signed
 * parameter. Size is bounded by the body limit.
 */
export function parseForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

export function twilioParams(body: unknown): TwilioParams {
  const out: TwilioParams = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v.find((x) => typeof x === 'string') : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

declare module 'express-serve-static-core' {
  interface Request {
    twilio?: TwilioParams;
  }
}

/**
 * Checks `X-Twilio-Signature` against the configured public URL (not the URL the proxy
 * handed us, which Twilio never signed). A missing or wrong signature gets 403 and the
 * request goes no further.
 */
export function requireTwilioSignature(opts: { authToken: string; publicUrl: string; log: Logger }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const signature = req.header('x-twilio-signature');
    const url = opts.publicUrl + req.originalUrl;
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    let valid = false;
    try {
      // The exact URL first (one HMAC); the library's variants (with/without port) only on a miss.
      valid = !!signature && (sameSignature(signature, twilio.getExpectedTwilioSignature(opts.authToken, url, body)) || twilio.validateRequest(opts.authToken, signature, url, body));
    } catch {
      valid = false;
    }
    if (!valid) {
      opts.log.warn({ path: req.path, hasSignature: !!signature }, 'rejected webhook with a missing or invalid Twilio signature');
      res.status(403).type('text/plain').send('Forbidden: invalid Twilio signature\n');
      return;
    }
    req.twilio = twilioParams(body);
    next();
  };
}

const rawForm = express.text({ type: 'application/x-www-form-urlencoded', limit: '64kb', defaultCharset: 'utf-8' });

/**
 * Twilio's form body, parsed with parseForm. Twilio sends UTF-8; a body in another charset
 * could not have been signed as we would read it, so it is refused (and answered with TwiML
 * by the error handler).
 */
export const twilioForm: RequestHandler = (req, res, next) => {
  const charset = /charset=([^;\s]+)/i.exec(req.header('content-type') ?? '')?.[1]?.toLowerCase().replace(/^"|"$/g, '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    next(Object.assign(new Error(`unsupported charset ${charset}`), { status: 415, type: 'charset.unsupported' }));
    return;
  }
  rawForm(req, res, (err?: unknown) => {
    if (err) return next(err);
    req.body = typeof req.body === 'string' ? parseForm(req.body) : {};
    next();
  });
};

/**
 * A webhook route that always answers 200 with TwiML: `answer` builds it, and whatever it
 * throws is counted and turned into `onFailure`'s TwiML — Twilio never gets a 5xx.
 */
export function twimlRoute(
  metrics: Metrics,
  route: string,
  answer: (req: Request) => Promise<string> | string,
  onFailure: (req: Request, err: unknown, route: string) => Promise<string> | string,
): RequestHandler {
  return async (req, res) => {
    const end = metrics.webhookSeconds.startTimer({ route });
    let twiml: string;
    try {
      twiml = await answer(req);
    } catch (err) {
      metrics.webhookErrors.inc({ route });
      twiml = await onFailure(req, err, route);
    }
    res.status(200).type('text/xml').send(twiml);
    end({ status: '200' });
  };
}
