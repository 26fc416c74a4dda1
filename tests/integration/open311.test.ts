import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHotline, type TestHotline } from '../helpers/hotline.ts';

const KEY = 'open311-test-key-0123456789';
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => ['service', 'request', 'error'].includes(name) });

describe('Open311 GeoReport v2 (/open311/v2)', () => {
  let t: TestHotline;
  beforeAll(async () => {
    t = await startHotline({ OPEN311_API_KEYS: `other-key-abcdefghijkl,${KEY}` });
  });
  afterAll(async () => t.close());

  const get = async (path: string) => {
    const res = await fetch(`${t.url}/open311/v2${path}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const post = async (path: string, form: Record<string, string>) => {
    const res = await fetch(`${t.url}/open311/v2${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    return { status: res.status, text: await res.text() };
  };
  const lamp = { service_code: 'CITY-STREETLIGHT', lat: '23.1291', long: '113.2644', address_string: '人民路与解放路交叉口', description: '路口两盏路灯不亮，联系我13812345678', phone: '+86 138 1234 5678', first_name: '伟', last_name: '王' };

  it('lists the services in JSON and XML, and describes one', async () => {
    const json = await get('/services.json');
    expect(json.status).toBe(200);
    const services = JSON.parse(json.text) as Array<Record<string, unknown>>;
    expect(services.find((s) => s.service_code === 'CITY-STREETLIGHT')).toEqual({ service_code: 'CITY-STREETLIGHT', service_name: '路灯不亮或损坏', description: expect.any(String), metadata: false, type: 'realtime', keywords: ['路灯', '照明', 'streetlight'], group: '城市管理' });
    expect((JSON.parse((await get('/services.json?locale=en')).text) as Array<Record<string, unknown>>)[0]!.service_name).toBe('Streetlight out or damaged');
    const x = await get('/services.xml');
    expect(x.type).toMatch(/^application\/xml/);
    expect(x.text.startsWith('<?xml version="1.0" encoding="utf-8"?><services>')).toBe(true);
    expect(XMLValidator.validate(x.text)).toBe(true);
    const parsed = parser.parse(x.text) as { services: { service: Array<Record<string, string>> } };
    expect(parsed.services.service.map((s) => s.service_code)).toEqual(services.map((s) => s.service_code));
    expect(parsed.services.service[0]!.keywords).toBe('路灯,照明,streetlight');
    expect(JSON.parse((await get('/services/CITY-STREETLIGHT.json')).text)).toEqual({ service_code: 'CITY-STREETLIGHT', attributes: [] });
    const missing = await get('/services/NOPE.xml');
    expect(missing.status).toBe(404);
    expect(parser.parse(missing.text).errors.error[0]).toEqual({ code: '404', description: 'no service NOPE' });
  });

  it('files a service request only with a valid API key, and it becomes a case numbered for the caller', async () => {
    expect(JSON.parse((await post('/requests.json', lamp)).text)).toEqual([{ code: 400, description: expect.stringMatching(/^api_key/) }]);
    const forged = await post('/requests.json', { ...lamp, api_key: 'wrong-key-0123456789abcd' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.text)).toEqual([{ code: 403, description: 'invalid api_key' }]);
    expect((await post('/requests.json', { api_key: KEY, service_code: 'CITY-STREETLIGHT', description: '没有位置' })).status).toBe(400);
    expect((await post('/requests.json', { ...lamp, api_key: KEY, service_code: 'NOPE' })).status).toBe(404);

    const filed = await post('/requests.json', { ...lamp, api_key: KEY, 'attribute[pole]': 'A-17' });
    expect(filed.status).toBe(201);
    const { service_request_id: id } = (JSON.parse(filed.text) as Array<{ service_request_id: string }>)[0]!;
    const c = (await t.hotline.cases.get(id))!;
    expect(c).toMatchObject({ channel: 'open311', type: '求助', category: '城市管理/路灯', caller_phone: '+8613812345678', caller_name: '王伟', address: '人民路与解放路交叉口', lat: 23.1291, lng: 113.2644 });
    expect(c.description).toContain('pole: A-17');
  });

  it('shows a request without the caller’s name or phone, with open/closed and the detailed status', async () => {
    const { service_request_id: id } = (JSON.parse((await post('/requests.json', { ...lamp, api_key: KEY })).text) as Array<{ service_request_id: string }>)[0]!;
    await t.hotline.cases.act(id, { type: 'DISPATCH', department: 'CITY', by: 'agent-li' });
    const one = await get(`/requests/${id}.json?extensions=true`);
    expect(one.status).toBe(200);
    for (const secret of ['13812345678', '1234 5678', '王伟', '王', 'caller']) expect(one.text).not.toContain(secret);
    const r = (JSON.parse(one.text) as Array<Record<string, any>>)[0]!;
    expect(r).toMatchObject({ service_request_id: id, status: 'open', service_code: 'CITY-STREETLIGHT', service_name: '路灯不亮或损坏', agency_responsible: '示例市城市管理局', lat: 23.1291, long: 113.2644, extended_attributes: { detailed_status: 'Open - Assigned', channel: 'open311' } });
    expect(r.description).toMatch(/联系我\d{0,3}\*+5678/);
    const asXml = parser.parse((await get(`/requests/${id}.xml`)).text) as { service_requests: { request: Array<Record<string, string>> } };
    expect(asXml.service_requests.request[0]).toMatchObject({ service_request_id: id, status: 'open' });

    // A case an agent opened from a call is visible too, and closed cases say so.
    const fromCall = await t.hotline.cases.create({ type: '投诉', category: '市场监管/价格', urgency: 'normal', callerPhone: '+8613800138000', callerName: '张先生', description: '超市多收钱', channel: 'voice', by: 'agent-li' });
    const listed = JSON.parse((await get('/requests.json?status=open')).text) as Array<Record<string, unknown>>;
    expect(listed.map((x) => x.service_request_id)).toEqual(expect.arrayContaining([id, fromCall.id]));
    expect(JSON.stringify(listed)).not.toContain('13800138000');
    expect((JSON.parse((await get('/requests.json?status=closed')).text) as unknown[]).length).toBe(0);
    const byService = JSON.parse((await get('/requests.json?service_code=MARKET-PRICE')).text) as Array<Record<string, unknown>>;
    expect(byService.map((x) => x.service_request_id)).toEqual([fromCall.id]);
    expect(JSON.parse((await get(`/requests.json?service_request_id=${id},${fromCall.id},999`)).text)).toHaveLength(2);
    expect((await get('/requests/26112300000.json')).status).toBe(404);
    expect((await get('/whatever')).status).toBe(404);
  });
});
