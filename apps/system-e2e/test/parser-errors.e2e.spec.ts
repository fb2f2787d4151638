import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { call, freePort, ServiceProcess } from './service-process';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** One request through `agent`; a reset socket rejects (that is the failure under test). */
function get(base: string, agent: Agent, path: string, headers: Record<string, string> = {}) {
  const url = new URL(path, base);
  return new Promise<Answer>((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, agent, headers },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: JSON.parse(text),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Raw bytes on a connection of their own; resolves with all the service wrote before closing. */
function raw(base: string, bytes: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.end(bytes);
  });
}

/**
 * The built services, as users run them, behind a keep-alive client: a request the HTTP parser
 * refuses is answered in the contract's shape with `Connection: close`, so the client's pool
 * drops that socket and its next request is answered instead of reset.
 */
describe('both services: requests refused by the HTTP parser', () => {
  let dataDir: string;
  let auth: ServiceProcess;
  let resource: ServiceProcess;
  let userToken: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parser-errors-'));
    const [authPort, resourcePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${authPort}`;
    auth = new ServiceProcess('auth-api', authPort, {
      DATA_DIR: dataDir,
      AUTH_ISSUER: issuer,
      // The burst below is not what the rate limit is tested with.
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    resource = new ServiceProcess('resource-api', resourcePort, { AUTH_ISSUER: issuer });
    await auth.start();
    await resource.start();
    const email = `parser-${Date.now()}@example.com`;
    const password = 'parser errors password';
    await call(auth.url, 'POST', '/auth/register', { body: { email, password } });
    userToken = (await call(auth.url, 'POST', '/auth/login', { body: { email, password } })).body
      .access_token;
  });

  afterAll(async () => {
    await auth?.stop();
    await resource?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const services = () => [
    ['auth-api', auth.url, '/auth/me'],
    ['resource-api', resource.url, '/me'],
  ];

  it.each(['auth-api', 'resource-api'])(
    'answers a 64 KiB token 431 with Connection: close, then the next request on the pooled socket 200 (%s)',
    async (name) => {
      const [, base, mePath] = services().find(([service]) => service === name)!;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const bearer = { authorization: `Bearer ${userToken}` };
        expect((await get(base, agent, mePath, bearer)).status).toBe(200);
        const refused = await get(base, agent, mePath, {
          authorization: `Bearer ${'a'.repeat(64 * 1024)}`,
        });
        expect(refused).toMatchObject({
          status: 431,
          headers: { connection: 'close' },
          body: {
            statusCode: 431,
            error: 'request_header_fields_too_large',
            message: expect.any(String),
          },
        });
        expect((await get(base, agent, mePath, bearer)).status).toBe(200);
      } finally {
        agent.destroy();
      }
    },
  );

  it.each(['auth-api', 'resource-api'])(
    'answers malformed framing 400 in the contract shape, and closes (%s)',
    async (name) => {
      const [, base] = services().find(([service]) => service === name)!;
      const received = await raw(
        base,
        'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      );
      const [head, body] = received.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head).toMatch(/\r\nConnection: close\r\n/i);
      expect(JSON.parse(body)).toEqual({
        statusCode: 400,
        error: 'bad_request',
        message: expect.any(String),
      });
    },
  );

  it('resets nothing over a burst mixing refused and good requests on pooled keep-alive sockets', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 300 }, (_, i) => {
          const [, base, mePath] = services()[i % 2];
          const headers =
            i % 4 < 2
              ? { authorization: `Bearer ${userToken}` }
              : { authorization: `Bearer ${'b'.repeat(40 * 1024)}` };
          return get(base, agent, mePath, headers).then(
            (answer) => answer.status,
            (error: NodeJS.ErrnoException) => error.code ?? 'error',
          );
        }),
      );
      expect(outcomes.filter((outcome) => typeof outcome !== 'number')).toEqual([]);
      expect(outcomes.filter((outcome) => outcome === 200)).toHaveLength(150);
      expect(outcomes.filter((outcome) => outcome === 431)).toHaveLength(150);
    } finally {
      agent.destroy();
    }
  });

  it('logs each refusal in one line that carries none of the request bytes', async () => {
    const marker = 'raw-bytes-never-logged';
    await raw(
      resource.url,
      `GET /me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${marker}\r\nX: \x01\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = resource.output.join('');
    const refusals = log
      .split('\n')
      .filter((line) => line.includes('request refused by the HTTP parser'));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((line) => /"statusCode":(400|431)/.test(line))).toBe(true);
    expect(log).not.toContain(marker);
  });
});
