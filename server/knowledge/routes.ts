import { Router } from 'express';
import { decide, type KnowledgeBase } from './service.ts';

/** Read-only knowledge API: search for every channel and tool, and one article by id. */
export function knowledgeRouter(kb: KnowledgeBase): Router {
  const r = Router();
  r.get('/search', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!q) {
      res.status(400).json({ error: 'bad_request', message: 'pass the question as ?q=' });
      return;
    }
    const limitRaw = Number(req.query.limit ?? 5);
    const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, 50) : 5;
    const lang = req.query.lang === 'en-US' || req.query.lang === 'zh-CN' ? req.query.lang : undefined;
    const result = kb.search(q, { limit, lang });
    res.json({
      query: q,
      confidence: result.confidence,
      decision: decide(result),
      results: result.hits.map((h) => ({
        id: h.id,
        score: Math.round(h.score * 1000) / 1000,
        title: h.article.title,
        category: h.article.category,
        department: h.article.department,
        lang: h.article.lang,
        voice: h.article.voice,
        sms: h.article.sms ?? null,
      })),
    });
  });
  r.get('/:id', (req, res) => {
    const a = kb.get(req.params.id);
    if (!a) {
      res.status(404).json({ error: 'not_found', message: `no article ${req.params.id}` });
      return;
    }
    const { bodyLine: _line, ...article } = a;
    res.json({ ...article, english: kb.englishFor(a)?.id ?? null });
  });
  return r;
}
