import { timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import { z } from 'zod';
import { CASE_STATES } from '../cases/lifecycle.ts';
import type { CaseRow, Cases } from '../cases/service.ts';
import type { Departments } from '../departments/service.ts';
import { maskPhone, type Logger } from '../log.ts';
import type { Open311Services, Service } from './services.ts';

type Format = 'json' | 'xml';

const xml = new XMLBuilder({ format: false, suppressEmptyNode: true, processEntities: true });

/** One answer in both formats: JSON as the objects are, XML under `root` with one `item` element per object. */
function send(res: Response, format: Format, status: number, root: string, item: string, body: unknown): void {
  res.status(status);
  if (format === 'json') {
    res.json(body);
    return;
  }
  const items = Array.isArray(body) ? body : [body];
  res.type('application/xml; charset=utf-8').send(`<?xml version="1.0" encoding="utf-8"?>${xml.build({ [root]: { [item]: items.map(forXml) } })}`);
}

/** XML has no arrays of strings or nulls: keywords become one comma-separated element, nulls are left out. */
function forXml(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]) => [k, Array.isArray(x) && x.every((y) => typeof y === 'string') ? x.join(',') : x && typeof x === 'object' && !Array.isArray(x) ? forXml(x as Record<string, unknown>) : x]),
  );
}

/** The spec's error format: a list of {code, description}, with the HTTP status. */
function fail(res: Response, format: Format, status: number, description: string): void {
  send(res, format, status, 'errors', 'error', [{ code: status, description }]);
}

/** 12345 states in the spec's two, with the detail apps commonly read (`extensions=true`). */
const OPEN311_STATUS: Record<string, { status: 'open' | 'closed'; detailed: string }> = {
  received: { status: 'open', detailed: 'Open' },
  dispatched: { status: 'open', detailed: 'Open - Assigned' },
  returned: { status: 'open', detailed: 'Open - Reassigning' },
  accepted: { status: 'open', detailed: 'Open - Acknowledged' },
  in_progress: { status: 'open', detailed: 'Open - In Progress' },
  replied: { status: 'open', detailed: 'Open - Responded' },
  callback: { status: 'open', detailed: 'Open - Responded' },
  closed: { status: 'closed', detailed: 'Completed' },
  merged: { status: 'closed', detailed: 'Completed - Dup' },
};

const NewRequest = z.object({
  api_key: z.string().min(1),
  service_code: z.string().min(1),
  lat: z.coerce.number().min(-90).max(90).optional(),
  long: z.coerce.number().min(-180).max(180).optional(),
  address_string: z.string().max(300).optional(),
  address_id: z.string().max(100).optional(),
  email: z.string().max(200).optional(),
  device_id: z.string().max(200).optional(),
  account_id: z.string().max(200).optional(),
  first_name: z.string().max(50).optional(),
  last_name: z.string().max(50).optional(),
  phone: z.string().regex(/^\+?[0-9 -]{5,20}$/, 'digits, with an optional leading +').optional(),
  description: z.string().max(4000).optional(),
  media_url: z.string().url().max(500).optional(),
});

const sameKey = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Open311 GeoReport v2 at /open311/v2: services, a service's definition, and service requests
 * (list, one, and filing one with an API key from OPEN311_API_KEYS). A service request is a case
 * and its `service_request_id` the case number. Public answers never carry the caller's name or
 * phone, and phone-like numbers in descriptions are masked.
 */
export function open311Router(d: { cases: Cases; departments: Departments; services: Open311Services; apiKeys: readonly string[]; log: Logger }): Router {
  const r = Router();
  r.use(express.urlencoded({ extended: false, limit: '32kb' }), express.json({ limit: '32kb' }));

  const view = (c: CaseRow, names: Map<string, string>, extensions: boolean) => {
    const s = d.services.ofCategory(c.category);
    const st = OPEN311_STATUS[c.state] ?? { status: 'open' as const, detailed: 'Open' };
    return {
      service_request_id: c.id,
      status: st.status,
      status_notes: `${CASE_STATES[c.state as keyof typeof CASE_STATES] ?? c.state} (${c.state})`,
      service_name: s?.name ?? c.category,
      service_code: s?.code ?? null,
      description: maskPhone(c.description),
      agency_responsible: c.department ? (names.get(c.department) ?? c.department) : null,
      service_notice: null,
      requested_datetime: c.created_at,
      updated_datetime: c.updated_at,
      expected_datetime: c.due_step === 'reply' ? c.due_at : null,
      address: [c.district, c.address].filter(Boolean).join(' ') || null,
      address_id: null,
      zipcode: null,
      lat: c.lat,
      long: c.lng,
      media_url: null,
      ...(extensions ? { extended_attributes: { detailed_status: st.detailed, channel: c.channel, type: c.type, category: c.category } } : {}),
    };
  };
  const departmentNames = async () => new Map((await d.departments.list()).map((x) => [x.code, x.name]));
  const serviceView = (s: Service, en: boolean) => ({
    service_code: s.code,
    service_name: en && s.name_en ? s.name_en : s.name,
    description: s.description,
    metadata: false,
    type: 'realtime',
    keywords: s.keywords,
    group: s.group,
  });

  r.use(async (req: Request, res: Response) => {
    const m = /^\/(services|requests)(?:\/([^/]+?))?\.(json|xml)$/.exec(req.path);
    const format: Format = m?.[3] === 'xml' ? 'xml' : 'json';
    try {
      if (!m) return fail(res, format, 404, 'no such resource; see /open311/v2/services.json and /open311/v2/requests.json');
      const [, resource, id] = m;
      const q = req.query as Record<string, string | undefined>;
      if (resource === 'services' && req.method === 'GET') {
        const en = (q.locale ?? '').toLowerCase().startsWith('en');
        if (!id) return send(res, format, 200, 'services', 'service', d.services.list.map((s) => serviceView(s, en)));
        const s = d.services.byCode(id);
        if (!s) return fail(res, format, 404, `no service ${id}`);
        if (format === 'json') return send(res, format, 200, 'service_definition', 'x', { service_code: s.code, attributes: [] });
        res.type('application/xml; charset=utf-8').send(`<?xml version="1.0" encoding="utf-8"?>${xml.build({ service_definition: { service_code: s.code, attributes: '' } })}`);
        return;
      }
      if (resource === 'requests' && req.method === 'GET') {
        const extensions = q.extensions === 'true';
        if (id) {
          const c = /^\d{11,14}$/.test(id) ? await d.cases.get(id) : undefined;
          if (!c) return fail(res, format, 404, `no service request ${id}`);
          return send(res, format, 200, 'service_requests', 'request', [view(c, await departmentNames(), extensions)]);
        }
        return send(res, format, 200, 'service_requests', 'request', await listRequests(q, extensions));
      }
      if (resource === 'requests' && req.method === 'POST' && !id) return await fileRequest(req, res, format);
      return fail(res, format, 405, `${req.method} is not supported here`);
    } catch (err) {
      if (err instanceof z.ZodError) return fail(res, format, 400, err.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; '));
      d.log.error({ err }, 'open311 request failed');
      return fail(res, format, 500, 'the service is unavailable; try again later');
    }
  });

  async function listRequests(q: Record<string, string | undefined>, extensions: boolean) {
    const ids = q.service_request_id?.split(',').filter((x) => /^\d{11,14}$/.test(x));
    const names = await departmentNames();
    if (ids) return (await Promise.all(ids.slice(0, 100).map((x) => d.cases.get(x)))).filter((c): c is CaseRow => !!c).map((c) => view(c, names, extensions));
    // The spec's default window: the last 90 days, at most 1000; `page`/`page_size` page through it.
    const end = q.end_date ? new Date(q.end_date) : new Date();
    const start = q.start_date ? new Date(q.start_date) : new Date(end.getTime() - 90 * 86_400_000);
    if (Number.isNaN(end.getTime()) || Number.isNaN(start.getTime())) throw new z.ZodError([{ code: 'custom', path: ['start_date'], message: 'dates are w3 datetimes, like 2026-01-01T00:00:00Z', input: q.start_date }]);
    const size = Math.min(1000, Math.max(1, Number(q.page_size ?? 1000) || 1000));
    const page = Math.max(1, Number(q.page ?? 1) || 1);
    const codes = q.service_code?.split(',');
    const statuses = q.status?.split(',');
    const states = statuses ? Object.entries(OPEN311_STATUS).filter(([, v]) => statuses.includes(v.status)).map(([k]) => k) : undefined;
    const categories = codes ? codes.map((c) => d.services.byCode(c)?.category).filter((c): c is string => !!c) : undefined;
    if ((codes && !categories?.length) || (statuses && !states?.length)) return [];
    const rows = await d.cases.listPublic({ from: start.toISOString(), to: end.toISOString(), states, categories }, size, (page - 1) * size);
    return rows.map((c) => view(c, names, extensions));
  }

  async function fileRequest(req: Request, res: Response, format: Format) {
    const body = NewRequest.parse({ ...(req.body as object), ...(req.query.api_key ? { api_key: req.query.api_key } : {}) });
    if (!d.apiKeys.some((k) => sameKey(k, body.api_key))) return fail(res, format, 403, 'invalid api_key');
    const service = d.services.byCode(body.service_code);
    if (!service) return fail(res, format, 404, `no service ${body.service_code}`);
    if ((body.lat === undefined || body.long === undefined) && !body.address_string && !body.address_id) {
      return fail(res, format, 400, 'a location is required: lat and long, address_string or address_id');
    }
    const attributes = Object.entries(req.body as Record<string, unknown>)
      .filter(([k, v]) => /^attribute\[.+\]$/.test(k) && typeof v === 'string' && v)
      .map(([k, v]) => `${k.slice(10, -1)}: ${String(v).slice(0, 500)}`);
    const created = await d.cases.create({
      type: service.type,
      category: service.category,
      urgency: 'normal',
      callerPhone: body.phone?.replace(/[\s-]/g, '') ?? '',
      callerName: [body.last_name, body.first_name].filter(Boolean).join('') || undefined,
      address: body.address_string ?? body.address_id,
      lat: body.lat,
      lng: body.long,
      description: [body.description?.trim() || service.name, ...attributes, body.media_url ? `media: ${body.media_url}` : ''].filter(Boolean).join('\n'),
      channel: 'open311',
      by: 'open311',
    });
    d.log.info({ caseId: created.id, service: service.code }, 'service request filed over Open311');
    send(res, format, 201, 'service_requests', 'request', [{ service_request_id: created.id, service_notice: `已受理，工单号 ${created.id}`, account_id: body.account_id ?? null }]);
  }

  return r;
}
