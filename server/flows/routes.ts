import { Router, type Request, type Response } from 'express';
import { FlowNotFound, FlowRejected, type FlowVersions } from './versions.ts';
import { diffFlows } from './diff.ts';

/** The flow operations of the CLI, over HTTP: list, versions, publish, diff, rollback. */
export function flowsRouter(flows: FlowVersions): Router {
  const r = Router();
  const wrap = (fn: (req: Request) => Promise<unknown>, status = 200) => async (req: Request, res: Response) => {
    try {
      res.status(status).json(await fn(req));
    } catch (err) {
      if (err instanceof FlowRejected) res.status(422).json({ error: 'invalid_flow', issues: err.issues });
      else if (err instanceof FlowNotFound) res.status(404).json({ error: 'not_found', message: err.message });
      else res.status(500).json({ error: 'internal', message: 'the flow operation failed; see the server log' });
    }
  };
  const author = (req: Request) => String(req.header('x-hotline-user') ?? 'ops-api').slice(0, 100);
  r.get('/', wrap(async () => ({ flows: await flows.list() })));
  r.get('/:id/versions', wrap(async (req) => ({ versions: await flows.versions(String(req.params.id)) })));
  r.get('/:id/versions/:version', wrap(async (req) => {
    const v = await flows.get(String(req.params.id), Number(req.params.version));
    return { flowId: v.flowId, version: v.version, hash: v.hash, definition: v.definition };
  }));
  r.post('/:id/versions', wrap(async (req) => {
    const body = req.body as { source?: unknown; message?: unknown; file?: unknown };
    if (typeof body?.source !== 'string') throw new FlowRejected([{ file: 'request', line: 1, column: 1, message: 'body.source must be the flow file text' }]);
    const file = typeof body.file === 'string' ? body.file : `${req.params.id}.yaml`;
    return flows.publish(file, body.source, typeof body.message === 'string' ? body.message : '', author(req), { expectId: String(req.params.id) });
  }, 201));
  r.get('/:id/diff', wrap(async (req) => {
    const id = String(req.params.id);
    const a = await flows.get(id, Number(req.query.a));
    const b = await flows.get(id, Number(req.query.b));
    return { flowId: id, a: a.version, b: b.version, changes: diffFlows(a.definition, b.definition) };
  }));
  r.post('/:id/rollback', wrap(async (req) => {
    const v = (req.body as { version?: unknown })?.version;
    return { live: await flows.rollback(String(req.params.id), author(req), typeof v === 'number' ? v : undefined) };
  }));
  return r;
}
