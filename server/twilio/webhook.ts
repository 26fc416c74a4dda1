import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';

/**
 * Twilio webhook parameters as plain strings. Twilio sends each once; a forged or mangled
 * request may repeat a name or send something else, and then the first string wins.
 */
export type TwilioParams = Record<string, string>;

/** A Twilio resource sid as we accept it anywhere (CallSid and the like): letters and digits only. */
export const SID_RE = /^[A-Za-z0-9]{10,64}$/;

/** One signed, parsed webhook as a channel sees it. */
export interface TwilioRequest {
  /** The path below the channel's mount point, e.g. `/` or `/status`. */
  path: string;
  params: TwilioParams;
  /** Query parameters; a repeated name is dropped, as nothing we sign repeats one. */
  query: Record<string, string>;
}

export type TwimlAnswer = (req: TwilioRequest) => Promise<string> | string;

/** A channel's webhooks (voice, SMS): its routes and how it answers when something fails. */
export interface TwilioChannel {
  /** Route path (`/`, `/status`, …) → the metric label and the function that builds the TwiML. */
  routes: Record<string, { name: string; answer: TwimlAnswer }>;
  /** What Twilio gets when a route throws: valid TwiML that still helps the caller. */
  failed(req: TwilioRequest, err: unknown, route: string): Promise<string> | string;
  /** What Twilio gets for a body we cannot read (wrong charset, too large). */
  unreadable(): string;
}

const BODY_LIMIT = 64 * 1024;

/**
 * Parse a form body the way Twilio builds it (WHATWG form encoding: flat names, invalid UTF-8
 * decoded to U+FFFD), with no parameter cap that could silently drop a signed parameter (size
 * is bounded by the body limit). Returns the form as signed (repeats kept) and as the channels
 * read it (the first value wins), in one pass.
 */
function readForm(raw: string): { form: Record<string, string | string[]>; params: TwilioParams } {
  const form: Record<string, string | string[]> = Object.create(null);
  const params: TwilioParams = Object.create(null);
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = form[k];
    if (prev === undefined) {
      form[k] = v;
      params[k] = v;
    } else form[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { form, params };
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class Unreadable extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  const charset = /charset=([^;\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase().replace(/^"|"$/g, '');
  // Twilio sends UTF-8; a body in another charset could not have been signed as we would read it.
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return Promise.reject(new Unreadable(`unsupported charset ${charset}`));
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') return Promise.reject(new Unreadable(`unsupported content encoding ${encoding}`));
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) return Promise.reject(new Unreadable('body too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) reject(new Unreadable('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Twilio's webhooks, served straight from `node:http`: they are the hot path of every call, and
 * a general-purpose router and body parser cost more than the step itself. Every request is
 * checked with the `twilio` library's signature validator against the configured public URL
 * (not the URL a proxy handed us, which Twilio never signed): a missing or wrong signature
 * gets 403 and nothing reaches a channel. A signed request always gets 200 and TwiML.
 *
 * Returns a request listener that answers the paths it owns and returns false for the rest.
 */
export function twilioWebhooks(opts: {
  authToken: string;
  publicUrl: string;
  log: Logger;
  metrics: Metrics;
  /** Mount point (e.g. `/twilio/voice`) → channel. */
  channels: Record<string, TwilioChannel>;
}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const mounts = Object.entries(opts.channels);

  const verified = (signature: string | undefined, url: string, form: Record<string, string | string[]>): boolean => {
    if (!signature) return false;
    try {
      // The exact URL first (one HMAC); the library's variants (with/without port) only on a miss.
      return sameSignature(signature, twilio.getExpectedTwilioSignature(opts.authToken, url, form)) || twilio.validateRequest(opts.authToken, signature, url, form);
    } catch {
      return false;
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse, channel: TwilioChannel, sub: string, rawQuery: string): Promise<void> {
    const route = channel.routes[sub];
    if (!route) {
      send(res, 404, 'text/plain', 'Not found\n');
      return;
    }
    const end = opts.metrics.webhookSeconds.startTimer({ route: route.name });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      opts.log.warn({ err: { message: (err as Error).message }, path: sub }, 'webhook body could not be read; answering with TwiML');
      if (err instanceof Unreadable) {
        res.setHeader('Connection', 'close');
        req.resume();
      }
      send(res, 200, 'text/xml', channel.unreadable());
      end({ status: '200' });
      return;
    }
    const { form, params } = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded') ? readForm(raw) : { form: {}, params: {} };
    const signature = req.headers['x-twilio-signature'];
    if (!verified(typeof signature === 'string' ? signature : undefined, opts.publicUrl + req.url, form)) {
      opts.log.warn({ path: sub, hasSignature: !!signature }, 'rejected webhook with a missing or invalid Twilio signature');
      send(res, 403, 'text/plain', 'Forbidden: invalid Twilio signature\n');
      end({ status: '403' });
      return;
    }
    const query: Record<string, string> = {};
    const repeated = new Set<string>();
    for (const [k, v] of new URLSearchParams(rawQuery)) {
      if (k in query) repeated.add(k);
      query[k] = v;
    }
    for (const k of repeated) delete query[k];
    const tr: TwilioRequest = { path: sub, params, query };
    let twiml: string;
    try {
      twiml = await route.answer(tr);
    } catch (err) {
      opts.metrics.webhookErrors.inc({ route: route.name });
      try {
        twiml = await channel.failed(tr, err, route.name);
      } catch {
        twiml = channel.unreadable();
      }
    }
    send(res, 200, 'text/xml', twiml);
    end({ status: '200' });
  }

  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    for (const [mount, channel] of mounts) {
      if (pathname !== mount && !pathname.startsWith(`${mount}/`)) continue;
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        send(res, 405, 'text/plain', 'Twilio webhooks are POST requests\n');
        return true;
      }
      const sub = pathname.slice(mount.length).replace(/\/+$/, '') || '/';
      serve(req, res, channel, sub, q < 0 ? '' : url.slice(q + 1)).catch((err: unknown) => {
        // Only a bug in this function gets here; Twilio still gets TwiML.
        opts.log.error({ err }, 'webhook handler failed');
        if (!res.headersSent) send(res, 200, 'text/xml', channel.unreadable());
      });
      return true;
    }
    return false;
  };
}
