import { t } from './i18n.ts';

export interface Issue {
  path: string;
  message: string;
}

/** An answer other than 2xx, with the server's own words when it sent some. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface Me {
  username: string;
  roles: string[];
  departments: string[];
  mustChangePassword: boolean;
}

export interface Department {
  code: string;
  name: string;
  active: boolean;
}

export interface Article {
  id: string;
  title: string;
  category: string;
  /** A department name, as the article's author wrote it. */
  department: string;
  questions: string[];
  keywords: string[];
  voice: string;
  sms?: string;
  lang: string;
  updated: string;
  body: string;
  english: string | null;
}

export interface CaseView {
  id: string;
  type: string;
  category: string;
  urgency: string;
  state: string;
  stateName: string;
  department: string | null;
  caller: { phone: string; name: string | null };
  district?: string | null;
  address?: string | null;
  description: string;
  channel?: string;
  callSid?: string | null;
  articleId?: string | null;
  due: { step: string; at: string; warnAt: string | null } | null;
  /** Working days asked for, waiting for a supervisor: no reply and no second request meanwhile. */
  pendingExtension?: number | null;
  version: number;
  createdAt: string;
  updatedAt?: string;
}

/** What the case router proposes; the contract allows a bare code, or nothing. */
export type SuggestedDepartment = { department: string; because?: string } | string | null;

const unauthorizedListeners = new Set<() => void>();

/** Called when the session is gone (401 on a request that needs one), so the shell shows the login. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

interface Options {
  body?: unknown;
  headers?: Record<string, string>;
  /** Login and /api/me answer 401 as a normal outcome, not as a lost session. */
  quiet401?: boolean;
}

export async function api<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, 'network', t('networkError'));
  }
  const text = await res.text().catch(() => '');
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const d = (data && typeof data === 'object' ? data : {}) as { error?: unknown; message?: unknown; issues?: unknown };
    const issues = Array.isArray(d.issues) ? (d.issues as Issue[]).filter((i) => i && typeof i.message === 'string') : [];
    const message =
      typeof d.message === 'string' && d.message
        ? d.message
        : issues.length
          ? issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')
          : t('serverError', { s: res.status });
    const retry = Number(res.headers.get('Retry-After'));
    const err = new ApiError(res.status, typeof d.error === 'string' ? d.error : `http_${res.status}`, message, issues, Number.isFinite(retry) && retry > 0 ? retry : undefined);
    if (res.status === 401 && !opts.quiet401) for (const fn of unauthorizedListeners) fn();
    throw err;
  }
  return data as T;
}

export const get = <T>(path: string, opts?: Options) => api<T>('GET', path, opts);
export const post = <T>(path: string, body?: unknown, opts?: Options) => api<T>('POST', path, { ...opts, body });

/** Error text for the user, whatever was thrown. */
export function messageOf(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return t('networkError');
}

let departmentsCache: Promise<{ departments: Department[]; fallback: string }> | undefined;

/** The department catalogue, read once a session (it changes rarely; a failed read is tried again). */
export function departments(): Promise<{ departments: Department[]; fallback: string }> {
  departmentsCache ??= get<{ departments: Department[]; fallback: string }>('/api/departments').catch((err: unknown) => {
    departmentsCache = undefined;
    throw err;
  });
  return departmentsCache;
}

const articles = new Map<string, Promise<Article>>();

export function article(id: string): Promise<Article> {
  let p = articles.get(id);
  if (!p) {
    p = get<Article>(`/api/knowledge/${encodeURIComponent(id)}`);
    p.catch(() => articles.delete(id));
    articles.set(id, p);
  }
  return p;
}

/** Forget what belongs to the signed-out user. */
export function clearCaches(): void {
  departmentsCache = undefined;
  articles.clear();
}
