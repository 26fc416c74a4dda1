import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { smsText, type Article } from '../knowledge/article.ts';
import type { KnowledgeBase } from '../knowledge/service.ts';
import type { AuditLog } from '../users/audit.ts';
import type { Channel, OutgoingMessage, Outbox } from './outbox.ts';

const SendBody = z
  .object({
    channel: z.enum(['sms', 'email', 'fax']),
    to: z.string().trim().min(3).max(200),
    lang: z.enum(['zh-CN', 'en-US']).default('zh-CN'),
    caseId: z.string().regex(/^\d{11,14}$/).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const ok = v.channel === 'email' ? z.string().email().safeParse(v.to).success : /^\+?[0-9]{5,20}$/.test(v.to);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['to'], message: v.channel === 'email' ? 'an email address' : 'a phone or fax number in digits, like +8613800138000' });
  });

/** An article as a message: the short answer by SMS, the whole article by mail or fax. */
export function articleMessage(a: Article, channel: Channel, to: string, caseId?: string): OutgoingMessage {
  const lang = a.lang;
  if (channel === 'sms') return { kind: 'knowledge.article', channel, to, lang, body: `${smsText(a)}【${a.title}】`, caseId };
  const footer = lang === 'en-US' ? `(${a.department}, updated ${a.updated})` : `（${a.department}，更新于${a.updated}）`;
  return { kind: 'knowledge.article', channel, to, lang, subject: lang === 'en-US' ? `[Example City 12345] ${a.title}` : `【示例市12345】${a.title}`, body: `${a.title}\n\n${a.voice}\n\n${a.body.trim()}\n\n${footer}`, caseId };
}

/**
 * POST /api/knowledge/:id/send — an agent sends a caller the article they talked about, by
 * SMS, mail or fax ("自动传真"), through the outbox; in English when the caller asked in English
 * and the article has an English version. Who sent what to whom is in the audit log.
 */
export function articleSendRouter(d: { kb: KnowledgeBase; outbox: Outbox; configured: (c: Channel) => boolean; audit: AuditLog; wake: () => void; allowed: RequestHandler }): Router {
  const r = Router();
  r.post('/:id/send', d.allowed, express.json({ limit: '4kb' }), async (req: Request, res: Response, next) => {
    try {
      const parsed = SendBody.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: 'bad_request', issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
        return;
      }
      const body = parsed.data;
      const found = d.kb.get(String(req.params.id));
      if (!found) {
        res.status(404).json({ error: 'not_found', message: `no article ${String(req.params.id)}` });
        return;
      }
      if (!d.configured(body.channel)) {
        res.status(503).json({ error: 'not_configured', message: `no ${body.channel} channel is configured on this server` });
        return;
      }
      const article = body.lang === 'en-US' && found.lang !== 'en-US' ? (d.kb.englishFor(found) ?? found) : found;
      const [id] = await d.outbox.enqueue([articleMessage(article, body.channel, body.to, body.caseId)]);
      await d.audit.record(req.user!.username, `knowledge.send.${body.channel}`, [body.to], req.socket.remoteAddress);
      d.wake();
      res.status(202).json({ queued: id, article: article.id, channel: body.channel });
    } catch (err) {
      next(err);
    }
  });
  return r;
}
