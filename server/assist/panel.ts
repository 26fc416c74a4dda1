import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * The agent panel's built files (agent-ui/dist), served at `/`. Everything the page loads comes
 * from this server: the policy forbids scripts, styles and fonts from anywhere else; only the
 * browser phone talks to Twilio's voice edge.
 */
export function panelRouter(dir: string): Router {
  const r = Router();
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self' blob: data:",
    "connect-src 'self' https://*.twilio.com wss://*.twilio.com",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
  r.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    next();
  });
  const index = path.join(dir, 'index.html');
  // Hashed asset names never change content: cache them; the page itself is always fresh.
  r.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  r.use(express.static(dir, { index: false, maxAge: 0 }));
  r.get(/^\/(?!api\/|twilio\/|open311\/|socket\.io\/).*/, (_req, res) => {
    if (!existsSync(index)) {
      res.status(503).type('text/plain; charset=utf-8').send('The agent panel is not built. Run `npm run build:ui` (npm install does it), then reload.\n坐席面板尚未构建：请运行 npm run build:ui 后刷新。\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
