import { z } from 'zod';
import { DepartmentChange, NewDepartment } from '../departments/service.ts';
import { MoveBody, NewCaseBody } from './routes.ts';

/** The OpenAPI description of /api/cases and /api/departments, with the request bodies taken from the same zod schemas that validate them. */
export function casesOpenApi(serverUrl: string) {
  const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
  const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
  const err = (description: string) => ({ description, content: json('Error') });
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^\\d{11,14}$' }, description: 'case number (digits, Damm check digit)' };
  const code = { name: 'code', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,31}$' } };
  return {
    openapi: '3.1.0',
    info: { title: 'Hotline cases API', version: '1', description: 'Cases of the 12345 workflow. Sign in with POST /api/login (session cookie) or send Authorization: Bearer <API token>. A department handler sees only their departments\' cases; every read of a case is written to the audit log.' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { cookie: { type: 'apiKey', in: 'cookie', name: 'hotline_session' }, bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        NewCase: schema(NewCaseBody),
        Move: schema(MoveBody),
        NewDepartment: schema(NewDepartment),
        DepartmentChange: schema(DepartmentChange),
        Department: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, active: { type: 'boolean' }, email: { type: ['string', 'null'] }, fax: { type: ['string', 'null'] }, notifyBy: { enum: ['email', 'fax'] }, phone: { type: ['string', 'null'] }, updatedAt: { type: 'string' }, updatedBy: { type: 'string' } } },
        Error: { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } }, required: ['error'] },
        Case: { type: 'object', description: 'a case as the API shows it (see caseView in server/cases/routes.ts)', properties: { id: { type: 'string' }, state: { type: 'string' }, department: { type: ['string', 'null'] }, version: { type: 'integer' } }, additionalProperties: true },
      },
    },
    security: [{ cookie: [] }, { bearer: [] }],
    paths: {
      '/api/cases': {
        get: {
          summary: 'list cases, newest first',
          parameters: [
            ...['state', 'department', 'type'].map((name) => ({ name, in: 'query', schema: { type: 'string' }, description: 'comma-separated values' })),
            { name: 'overdue', in: 'query', schema: { type: 'boolean' } },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'the `next` of the previous page' },
          ],
          responses: { '200': { description: 'a page', content: { 'application/json': { schema: { type: 'object', properties: { cases: { type: 'array', items: { $ref: '#/components/schemas/Case' } }, next: { type: ['string', 'null'] } } } } } }, '401': err('not signed in') },
        },
        post: {
          summary: 'open a case (agent or supervisor); answers with the suggested department and likely repeats',
          requestBody: { required: true, content: json('NewCase') },
          responses: { '201': { description: 'created and stored' }, '400': err('invalid body'), '403': err('not the centre') },
        },
      },
      '/api/cases/{id}': { get: { summary: 'one case', parameters: [id], responses: { '200': { description: 'the case' }, '404': err('no such case, or not yours to see') } } },
      '/api/cases/{id}/events': {
        get: { summary: 'the history of a case', parameters: [id], responses: { '200': { description: 'the events, oldest first' }, '404': err('no such case') } },
        post: {
          summary: 'a lifecycle move; If-Match: <version> makes it conditional',
          parameters: [id, { name: 'If-Match', in: 'header', schema: { type: 'string' } }],
          requestBody: { required: true, content: json('Move') },
          responses: { '201': { description: 'applied' }, '400': err('invalid body, or a department that is unknown or takes no new cases'), '403': err('role may not make this move'), '404': err('no such case'), '409': err('illegal move or changed meanwhile') },
        },
      },
      '/api/departments': {
        get: { summary: 'the department catalogue and the fallback desk (everyone signed in)', responses: { '200': { description: '{ departments: Department[], fallback }' } } },
        post: { summary: 'add a department (supervisor)', requestBody: { required: true, content: json('NewDepartment') }, responses: { '201': { description: 'added', content: json('Department') }, '400': err('invalid body'), '403': err('not a supervisor'), '409': err('the code is taken') } },
      },
      '/api/departments/{code}': {
        get: { summary: 'one department', parameters: [code], responses: { '200': { description: 'the department' }, '404': err('not in the catalogue') } },
        patch: {
          summary: 'change name, contacts or whether it takes new cases (supervisor); an inactive department keeps the cases it holds',
          parameters: [code],
          requestBody: { required: true, content: json('DepartmentChange') },
          responses: { '200': { description: 'changed', content: json('Department') }, '400': err('invalid change, or the fallback desk made inactive'), '403': err('not a supervisor'), '404': err('not in the catalogue') },
        },
      },
    },
  };
}
