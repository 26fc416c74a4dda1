import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Departments } from '../departments/service.ts';
import type { AuditLog } from '../users/audit.ts';
import type { Role, User } from '../users/service.ts';
import { CASE_TYPES, URGENCIES } from './deadlines.ts';
import { CASE_STATES, IllegalMove, RATINGS, type CaseEvent } from './lifecycle.ts';
import type { Router as CaseRouter } from './routing.ts';
import { CHANNELS, CaseChanged, CaseNotFound, type CaseRow, type Cases, type Move } from './service.ts';

export const NewCaseBody = z
  .object({
    type: z.enum(CASE_TYPES),
    category: z.string().min(1).max(200),
    urgency: z.enum(URGENCIES).default('normal'),
    callerPhone: z.string().min(3).max(32),
    callerName: z.string().max(100).optional(),
    district: z.string().max(100).optional(),
    address: z.string().max(300).optional(),
    description: z.string().min(1).max(5000),
    channel: z.enum(CHANNELS),
    callSid: z.string().max(64).optional(),
    articleId: z.string().max(200).optional(),
  })
  .strict();

const text = z.string().max(2000).optional();
export const MoveBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('DISPATCH'), department: z.string().min(1), note: text }),
  z.object({ type: z.literal('REDISPATCH'), department: z.string().min(1), note: text }),
  z.object({ type: z.literal('RETURN'), reason: z.string().min(1), note: text }),
  z.object({ type: z.literal('ACCEPT'), note: text }),
  z.object({ type: z.literal('START'), note: text }),
  z.object({ type: z.literal('REQUEST_EXTENSION'), reason: z.string().min(1), workingDays: z.number().int().min(1).max(60), note: text }),
  z.object({ type: z.literal('APPROVE_EXTENSION'), note: text }),
  z.object({ type: z.literal('REJECT_EXTENSION'), reason: z.string().optional(), note: text }),
  z.object({ type: z.literal('SUPERVISE'), reason: z.string().min(1), note: text }),
  z.object({ type: z.literal('REPLY'), note: text }),
  z.object({ type: z.literal('CALLBACK'), satisfied: z.boolean(), rating: z.enum(RATINGS).optional(), note: text }),
  z.object({ type: z.literal('CLOSE'), note: text }),
  z.object({ type: z.literal('REOPEN'), reason: z.string().min(1), note: text }),
  z.object({ type: z.literal('MERGE'), master: z.string().min(1), note: text }),
]);

/** Who may make which move: the centre dispatches and calls back, the department works the case, supervisors decide. */
const MOVE_ROLES: Record<CaseEvent['type'], Role[]> = {
  DISPATCH: ['agent', 'supervisor'],
  REDISPATCH: ['agent', 'supervisor'],
  MERGE: ['agent', 'supervisor'],
  CALLBACK: ['agent', 'supervisor'],
  CLOSE: ['agent', 'supervisor'],
  REOPEN: ['agent', 'supervisor'],
  RETURN: ['handler'],
  ACCEPT: ['handler'],
  START: ['handler'],
  REQUEST_EXTENSION: ['handler'],
  REPLY: ['handler'],
  APPROVE_EXTENSION: ['supervisor'],
  REJECT_EXTENSION: ['supervisor'],
  SUPERVISE: ['supervisor'],
};

const CENTRE_ROLES: Role[] = ['agent', 'supervisor', 'admin'];
const isCentre = (u: User) => u.roles.some((r) => CENTRE_ROLES.includes(r));
/** A handler acts only on their departments' cases; the centre sees all. */
const canSee = (u: User, c: CaseRow) => isCentre(u) || (u.roles.includes('handler') && c.department !== null && u.departments.includes(c.department));

export function caseView(c: CaseRow) {
  const lifecycle = JSON.parse(c.snapshot).context as Record<string, unknown>;
  return {
    id: c.id,
    type: c.type,
    category: c.category,
    urgency: c.urgency,
    state: c.state,
    stateName: CASE_STATES[c.state as keyof typeof CASE_STATES],
    department: c.department,
    caller: { phone: c.caller_phone, name: c.caller_name },
    district: c.district,
    address: c.address,
    description: c.description,
    channel: c.channel,
    callSid: c.call_sid,
    articleId: c.article_id,
    due: c.due_at ? { step: c.due_step, at: c.due_at, warnAt: c.warn_at } : null,
    extensions: lifecycle.extensions,
    /** Working days asked for and not yet decided by a supervisor (no reply meanwhile). */
    pendingExtension: lifecycle.pendingExtension ?? null,
    supervisions: lifecycle.supervisions,
    version: c.version,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

const csv = (v: unknown) => (typeof v === 'string' && v ? v.split(',') : undefined);

/** /api/cases: create, list (filters, cursor pages), read, history, and the lifecycle moves. */
export function casesRouter(
  cases: Cases,
  router: CaseRouter,
  departments: Departments,
  audit: AuditLog,
  articleDepartment: (articleId: string) => string | undefined = () => undefined,
): Router {
  const r = Router();
  r.use(express.json({ limit: '64kb' }));
  const addr = (req: Request) => req.socket.remoteAddress;
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((err: unknown) => {
      if (err instanceof z.ZodError) res.status(400).json({ error: 'bad_request', issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      else if (err instanceof IllegalMove) res.status(409).json({ error: 'illegal_move', message: err.message });
      else if (err instanceof CaseChanged) res.status(409).json({ error: 'changed', message: err.message });
      else if (err instanceof CaseNotFound) res.status(404).json({ error: 'not_found', message: 'no such case' });
      else next(err);
    });
  /** The case if this user may see it; a case they may not see does not exist for them. */
  const visible = async (req: Request, id: string) => {
    const c = /^\d{11,14}$/.test(id) ? await cases.get(id) : undefined;
    if (!c || !canSee(req.user!, c)) throw new CaseNotFound(id);
    return c;
  };

  r.post('/', handle(async (req, res) => {
    if (!isCentre(req.user!)) {
      res.status(403).json({ error: 'forbidden', message: 'cases are opened by the centre (agent or supervisor)' });
      return;
    }
    const body = NewCaseBody.parse(req.body);
    const created = await cases.create({ ...body, by: req.user!.username });
    const repeats = (await cases.likelyRepeats(body)).filter((c) => c.id !== created.id);
    const suggestion = router.route(
      { type: body.type, category: body.category, district: body.district, description: body.description, articleDepartment: body.articleId ? articleDepartment(body.articleId) : undefined },
      await departments.list(),
    );
    res.status(201).json({ case: caseView(created), suggestedDepartment: suggestion, likelyRepeats: repeats.map((c) => ({ id: c.id, state: c.state, category: c.category, createdAt: c.created_at })) });
  }));

  r.get('/', handle(async (req, res) => {
    const u = req.user!;
    const q = req.query;
    const limit = Math.min(200, Math.max(1, Number(q.limit ?? 50) || 50));
    let departments = csv(q.department);
    if (!isCentre(u)) departments = (departments ?? u.departments).filter((d) => u.departments.includes(d));
    const page = await cases.list(
      { departments, states: csv(q.state), types: csv(q.type), overdue: q.overdue === 'true', from: typeof q.from === 'string' ? q.from : undefined, to: typeof q.to === 'string' ? q.to : undefined },
      limit,
      typeof q.cursor === 'string' ? q.cursor : undefined,
    ).catch((err: Error) => {
      if (err.message === 'bad cursor') throw new z.ZodError([{ code: 'custom', path: ['cursor'], message: 'not a cursor this API gave', input: q.cursor }]);
      throw err;
    });
    await audit.record(u.username, 'case.list', page.cases.map((c) => c.id), addr(req));
    res.json({ cases: page.cases.map(caseView), next: page.next ?? null });
  }));

  r.get('/:id', handle(async (req, res) => {
    const c = await visible(req, String(req.params.id));
    await audit.record(req.user!.username, 'case.read', [c.id], addr(req));
    res.json({ case: caseView(c) });
  }));

  r.get('/:id/events', handle(async (req, res) => {
    const c = await visible(req, String(req.params.id));
    res.json({ events: await cases.history(c.id) });
  }));

  r.post('/:id/events', handle(async (req, res) => {
    const u = req.user!;
    const c = await visible(req, String(req.params.id));
    const move = MoveBody.parse(req.body) as Move;
    if (!u.roles.some((role) => role === 'admin' || MOVE_ROLES[move.type].includes(role))) {
      res.status(403).json({ error: 'forbidden', message: `${move.type} needs the role ${MOVE_ROLES[move.type].join(' or ')}` });
      return;
    }
    if (move.type === 'DISPATCH' || move.type === 'REDISPATCH') {
      const to = await departments.get(move.department);
      if (!to?.active) {
        res.status(400).json({ error: 'bad_department', message: to ? `${to.code} (${to.name}) takes no new cases` : `${move.department} is not in the department catalogue (GET /api/departments)` });
        return;
      }
    }
    const expected = req.header('if-match');
    const updated = await cases.act(c.id, { ...move, by: u.username } as Move, expected && /^\d+$/.test(expected) ? Number(expected) : undefined);
    res.status(201).json({ case: caseView(updated) });
  }));
  return r;
}
