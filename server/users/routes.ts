import { timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../log.ts';
import type { LoginLimiter } from './limiter.ts';
import { UserError, type Role, type User, type Users } from './service.ts';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

const COOKIE = 'hotline_session';

/** The session token in a Cookie header (the panel's socket sends the same cookie). */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

const cookieOf = (req: Request) => sessionCookie(req.header('cookie'));

function bearerOf(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m?.[1];
}

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who is asking: a browser session cookie, a user's API token, or the ops token of the
 * environment (HOTLINE_OPS_TOKEN, an `ops` identity for deployment tooling). A user whose
 * one-time password has not been changed may only change it.
 */
export function authenticate(users: Users, opsToken: string) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const cookie = cookieOf(req);
      const bearer = bearerOf(req);
      if (cookie) req.user = await users.byToken(cookie, 'session');
      else if (bearer && same(bearer, opsToken)) req.user = { username: 'ops-token', roles: ['ops'], departments: [], mustChangePassword: false };
      else if (bearer) req.user = await users.byToken(bearer, 'api');
      const path = req.baseUrl + req.path;
      if (req.user?.mustChangePassword && path !== '/api/password' && path !== '/api/logout' && path !== '/api/me') {
        res.status(403).json({ error: 'password_change_required', message: 'change the one-time password first: POST /api/password' });
        return;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** Only users with one of `roles` (admins always) get through: 401 without a user, 403 without the role. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.user) {
      res.status(401).json({ error: 'unauthorized', message: 'sign in (POST /api/login) or send Authorization: Bearer <token>' });
      return;
    }
    if (!req.user.roles.some((r) => r === 'admin' || roles.includes(r))) {
      res.status(403).json({ error: 'forbidden', message: `needs the role ${roles.join(' or ')}` });
      return;
    }
    next();
  };
}

/** POST /api/login, /api/logout, /api/password. */
export function authRouter(users: Users, limiter: LoginLimiter, opts: { secureCookie: boolean; log: Logger }): Router {
  const r = Router();
  const json = express.json({ limit: '16kb' });
  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${opts.secureCookie ? '; Secure' : ''}`;

  r.post('/login', json, async (req, res, next) => {
    try {
      const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
      if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
        res.status(400).json({ error: 'bad_request', message: 'send JSON {"username": "…", "password": "…"}' });
        return;
      }
      const address = req.socket.remoteAddress ?? '';
      const wait = await limiter.retryAfter(username, address);
      if (wait > 0) {
        res.setHeader('Retry-After', String(wait));
        res.status(429).json({ error: 'too_many_attempts', message: `too many failed sign-ins; try again in ${wait} s` });
        return;
      }
      const user = await users.check(username, password);
      if (!user) {
        await limiter.failed(username, address);
        opts.log.warn({ username, address }, 'failed sign-in');
        res.status(401).json({ error: 'unauthorized', message: 'wrong user name or password' });
        return;
      }
      const token = await users.issue(user.username, 'session');
      res.setHeader('Set-Cookie', cookie(token, 12 * 3600));
      res.json({ username: user.username, roles: user.roles, departments: user.departments, mustChangePassword: user.mustChangePassword });
    } catch (err) {
      next(err);
    }
  });

  r.get('/me', (req, res) => {
    if (!req.user) {
      res.status(401).json({ error: 'unauthorized', message: 'sign in (POST /api/login)' });
      return;
    }
    const { username, roles, departments, mustChangePassword } = req.user;
    res.json({ username, roles, departments, mustChangePassword });
  });

  r.post('/logout', async (req, res, next) => {
    try {
      const token = cookieOf(req);
      if (token) await users.revoke(token);
      res.setHeader('Set-Cookie', cookie('', 0));
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });

  r.post('/password', json, async (req, res, next) => {
    try {
      if (!req.user || req.user.username === 'ops-token') {
        res.status(401).json({ error: 'unauthorized', message: 'sign in first' });
        return;
      }
      const { password, newPassword } = (req.body ?? {}) as { password?: unknown; newPassword?: unknown };
      if (typeof password !== 'string' || typeof newPassword !== 'string' || !(await users.check(req.user.username, password))) {
        res.status(400).json({ error: 'bad_request', message: 'send JSON {"password": current, "newPassword": new (12+ characters)}' });
        return;
      }
      await users.changePassword(req.user.username, newPassword);
      res.status(204).end();
    } catch (err) {
      if (err instanceof UserError) res.status(400).json({ error: 'bad_request', message: err.message });
      else next(err);
    }
  });
  return r;
}
