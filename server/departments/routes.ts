import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../users/audit.ts';
import { DepartmentChange, DepartmentExists, DepartmentInvalid, DepartmentNotFound, NewDepartment, type Departments } from './service.ts';

/**
 * /api/departments: everyone signed in reads the catalogue (agents dispatch from it);
 * supervisors add departments and keep names, contacts and the active flag current.
 */
export function departmentsRouter(departments: Departments, audit: AuditLog, opts: { fallback: string }): Router {
  const r = Router();
  r.use(express.json({ limit: '16kb' }));
  const handle = (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) =>
    fn(req, res).catch((err: unknown) => {
      if (err instanceof z.ZodError) res.status(400).json({ error: 'bad_request', issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      else if (err instanceof DepartmentInvalid) res.status(400).json({ error: 'bad_request', message: err.message });
      else if (err instanceof DepartmentExists) res.status(409).json({ error: 'exists', message: err.message });
      else if (err instanceof DepartmentNotFound) res.status(404).json({ error: 'not_found', message: err.message });
      else next(err);
    });
  const supervisorOnly = (req: Request, res: Response): boolean => {
    if (req.user!.roles.some((role) => role === 'supervisor' || role === 'admin')) return true;
    res.status(403).json({ error: 'forbidden', message: 'the department catalogue is kept by supervisors' });
    return false;
  };

  r.get('/', handle(async (_req, res) => {
    res.json({ departments: await departments.list(), fallback: opts.fallback });
  }));

  r.get('/:code', handle(async (req, res) => {
    const d = await departments.get(String(req.params.code));
    if (!d) throw new DepartmentNotFound(`${String(req.params.code)} is not in the catalogue`);
    res.json({ department: d });
  }));

  r.post('/', handle(async (req, res) => {
    if (!supervisorOnly(req, res)) return;
    const made = await departments.add(NewDepartment.parse(req.body), req.user!.username);
    await audit.record(req.user!.username, 'department.add', [made.code], req.socket.remoteAddress);
    res.status(201).json({ department: made });
  }));

  r.patch('/:code', handle(async (req, res) => {
    if (!supervisorOnly(req, res)) return;
    const code = String(req.params.code);
    const change = DepartmentChange.parse(req.body);
    // The fallback desk takes whatever no rule claims; it cannot stop taking cases.
    if (change.active === false && code === opts.fallback) throw new DepartmentInvalid(`${code} is the fallback desk in cases/routing.yaml and cannot be made inactive; name another fallback there first`);
    const updated = await departments.update(code, change, req.user!.username);
    await audit.record(req.user!.username, 'department.update', [code], req.socket.remoteAddress);
    res.json({ department: updated });
  }));
  return r;
}
