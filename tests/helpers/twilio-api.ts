import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  authorization: string;
}

/**
 * A loopback stand-in for Twilio's REST API: the real `twilio` client is pointed at it
 * (TWILIO_API_URL) and tests read what it received. Answers like Twilio does for messages and calls.
 */
export async function startTwilioApi(): Promise<{ url: string; requests: ApiRequest[]; close(): Promise<void> }> {
  const requests: ApiRequest[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method ?? '', path: req.url ?? '', form, authorization: req.headers.authorization ?? '' });
      const call = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\.json$/.exec(req.url ?? '');
      if (req.method === 'POST' && call) {
        const sid = `CA${String(++n).padStart(32, '0')}`;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid, account_sid: call[1], to: form.To, from: form.From, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${call[1]}/Calls/${sid}.json` }));
        return;
      }
      const update = /^\/2010-04-01\/Accounts\/(AC\w+)\/Calls\/(CA\w+)\.json$/.exec(req.url ?? '');
      if (req.method === 'POST' && update) {
        // A live call redirected (take-over): Twilio answers with the call resource.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: update[2], account_sid: update[1], status: 'in-progress', direction: 'inbound', api_version: '2010-04-01', uri: `/2010-04-01/Accounts/${update[1]}/Calls/${update[2]}.json` }));
        return;
      }
      const m = /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\.json$/.exec(req.url ?? '');
      if (req.method === 'POST' && m) {
        const sid = `SM${String(++n).padStart(32, '0')}`;
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid, account_sid: m[1], to: form.To, from: form.From, body: form.Body, status: 'queued', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01', date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${m[1]}/Messages/${sid}.json` }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 20404, message: 'The requested resource was not found', status: 404 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
