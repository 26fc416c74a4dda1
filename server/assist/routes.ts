import express, { Router, type NextFunction, type Request, type Response } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { CallEvents } from '../events.ts';
import type { ContactSummary } from '../voice/measures.ts';
import type { KnowledgeAnswers } from '../knowledge/answers.ts';
import type { TwilioClient } from '../notifications/twilio-client.ts';
import type { AuditLog } from '../users/audit.ts';
import { requireRole } from '../users/routes.ts';
import { SID_RE } from '../twilio/webhook.ts';
import type { CallLog } from './log.ts';
import type { Assignments } from './assignments.ts';
import type { SuggestionFeedback } from './feedback.ts';


/** The browser phone's Twilio client identity for a user: letters and digits kept, anything else escaped, so two users never share one. */
export const agentIdentity = (username: string) => `agent_${username.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;

export interface VoiceTokenConfig {
  accountSid: string;
  apiKey?: string;
  apiSecret?: string;
  twimlAppSid?: string;
}

const FeedbackBody = z
  .object({
    callSid: z.string().regex(SID_RE),
    articleId: z.string().min(1).max(200),
    helpful: z.boolean(),
    query: z.string().max(2000).default(''),
  })
  .strict();

export interface AssistRoutesDeps {
  log: CallLog;
  events: CallEvents;
  assignments: Assignments;
  feedback: SuggestionFeedback;
  answers: KnowledgeAnswers;
  audit: AuditLog;
  /** Moves a live call (take-over); undefined when Twilio is not configured to be called. */
  twilio: () => TwilioClient;
  publicUrl: string;
  voice: VoiceTokenConfig;
  logger: Logger;
  /** A past call or text conversation: the voice channel's record, else the text channel's. */
  contact: (sid: string) => Promise<ContactSummary | undefined>;
  /** An article's title, for the answers a contact was given. */
  articleTitle: (id: string) => string | undefined;
}

const wrap = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => fn(req, res).catch(next);

/** /api/calls/:sid/take, /api/voice/token and /api/assist/feedback: what the panel asks of the server besides its socket. */
export function assistRouter(d: AssistRoutesDeps): Router {
  const r = Router();
  const centre = requireRole('agent', 'supervisor');

  r.post('/calls/:sid/take', centre, wrap(async (req, res) => {
    const sid = String(req.params.sid);
    const user = req.user!;
    const started = SID_RE.test(sid) ? await d.log.latest(sid, 'call.started') : undefined;
    if (!started || started.channel !== 'voice') {
      res.status(404).json({ error: 'not_found', message: 'no such live call' });
      return;
    }
    if (await d.log.latest(sid, 'call.ended')) {
      res.status(409).json({ error: 'ended', message: 'the caller has hung up' });
      return;
    }
    const holder = await d.assignments.claim(sid, user.username);
    if (holder !== user.username) {
      res.status(409).json({ error: 'taken', message: `${holder} has taken this call` });
      return;
    }
    const identity = agentIdentity(user.username);
    const lang = started.lang ?? 'zh-CN';
    // The caller leaves the queue for the agent's browser; unanswered, they go back to the queue.
    const twiml = new twilio.twiml.VoiceResponse();
    const client = twiml.dial({ action: `${d.publicUrl}/twilio/voice/after-dial?${new URLSearchParams({ lang, sid, agent: user.username })}`, method: 'POST', timeout: 20 }).client();
    client.identity(identity);
    // The browser phone answers by itself only the call it took over.
    client.parameter({ name: 'callSid', value: sid });
    try {
      await d.twilio().calls(sid).update({ twiml: twiml.toString() });
    } catch (err) {
      await d.assignments.release(sid, user.username);
      d.logger.error({ err: { message: (err as Error).message, status: (err as { status?: number }).status }, callSid: sid }, 'take-over refused by Twilio');
      res.status(502).json({ error: 'twilio_refused', message: `Twilio did not move the call: ${(err as Error).message}` });
      return;
    }
    d.events.emit({ type: 'call.assigned', callSid: sid, channel: 'voice', agent: user.username, at: new Date().toISOString() });
    await d.audit.record(user.username, 'call.take', [sid], req.socket.remoteAddress).catch((err: unknown) => d.logger.error({ err, callSid: sid }, 'take-over not written to the audit log'));
    res.json({ callSid: sid, agent: user.username, identity });
  }));

  r.get('/voice/token', centre, (req, res) => {
    const v = d.voice;
    if (!v.apiKey || !v.apiSecret) {
      res.status(503).json({ error: 'not_configured', message: 'the browser phone needs TWILIO_API_KEY and TWILIO_API_SECRET (and TWILIO_TWIML_APP_SID for outgoing calls)' });
      return;
    }
    const identity = agentIdentity(req.user!.username);
    const ttl = 3600;
    const token = new twilio.jwt.AccessToken(v.accountSid, v.apiKey, v.apiSecret, { identity, ttl });
    token.addGrant(new twilio.jwt.AccessToken.VoiceGrant({ incomingAllow: true, ...(v.twimlAppSid ? { outgoingApplicationSid: v.twimlAppSid } : {}) }));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ token: token.toJwt(), identity, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() });
  });

  r.post('/assist/feedback', centre, express.json({ limit: '16kb' }), wrap(async (req, res) => {
    const parsed = FeedbackBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'bad_request', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    await d.feedback.record({ ...parsed.data, username: req.user!.username });
    res.status(201).json({ recorded: true });
  }));

  /**
   * GET /api/calls/:sid/record: a call or text conversation afterwards (the reports' calls behind
   * a question): how it went, what the knowledge base answered, and its live events. Read access
   * is audited. Private answers (PINs) are in none of these.
   */
  r.get('/calls/:sid/record', requireRole('editor', 'supervisor'), wrap(async (req, res) => {
    const sid = String(req.params.sid);
    const contact = /^[A-Za-z0-9-]{8,64}$/.test(sid) ? await d.contact(sid) : undefined;
    if (!contact) {
      res.status(404).json({ error: 'not_found', message: 'no such call or conversation' });
      return;
    }
    await d.audit.record(req.user!.username, 'call.read', [sid], req.socket.remoteAddress);
    const answers = (await d.answers.forContact(sid)).map((a) => ({ question: a.question, articleId: a.article_id, title: a.article_id ? d.articleTitle(a.article_id) : undefined, decision: a.decision, at: a.at }));
    res.json({ contact, answers, events: (await d.log.history([sid])).get(sid) ?? [] });
  }));

  r.get('/assist/feedback', requireRole('editor', 'supervisor'), wrap(async (req, res) => {
    const days = Math.min(365, Math.max(1, Number(req.query.days ?? 30) || 30));
    const since = new Date(Date.now() - days * 86400_000).toISOString();
    res.json({ since, articles: await d.feedback.byArticle(since), unanswered: await d.answers.unanswered(100) });
  }));
  return r;
}
