import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
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
