import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import pino from 'pino';

import { ApiExceptionFilter } from './api-exception.filter';
import { clientErrorAnswer } from './client-error.handler';
import { ServiceLogger } from './logging/service-logger';
import { createServiceApp } from './service-app';

@Controller()
class PingController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }

  @Post('echo')
  echo(): { ok: true } {
    return { ok: true };
  }
}

/** Log lines the app writes, as parsed JSON. */
const logLines: Array<Record<string, unknown>> = [];
const capturingPino = pino(
  { level: 'info' },
  { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
);

@Module({
  controllers: [PingController],
  providers: [
    ApiExceptionFilter,
    { provide: ServiceLogger, useValue: new ServiceLogger(capturingPino) },
  ],
})
class PingModule {}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request through `agent`; rejects on a socket error (ECONNRESET above all). */
function send(
  port: number,
  agent: Agent,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: options.method ?? 'GET',
        path: options.path ?? '/ping',
        headers: options.headers,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Raw bytes on a fresh connection; resolves with everything the server wrote once it closes. */
function raw(port: number, bytes: string, options: { holdOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
    // A client that sends a partial request and waits (the request-timeout case).
    if (options.holdOpenMs === undefined) socket.end();
  });
}

function parseRaw(response: string): { status: number; head: string; body: unknown } {
  const [head, body] = response.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body) };
}

const HUGE_HEADER = { 'x-padding': 'a'.repeat(20 * 1024) };

describe('createServiceApp: requests the HTTP parser refuses', () => {
  let app: NestFastifyApplication;
  let port: number;
  let agent: Agent;

  beforeAll(async () => {
    app = await createServiceApp(PingModule, { requestTimeoutMs: 600 });
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  beforeEach(() => {
    // One pooled keep-alive socket: a reset would hit the very next request.
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    logLines.length = 0;
  });
  afterEach(() => agent.destroy());
  afterAll(() => app.close());

  it('answers an oversized header block 431 with Connection: close and the contract body', async () => {
    await send(port, agent, {}); // the pooled socket is now a kept-alive one
    const refused = await send(port, agent, { headers: HUGE_HEADER });
    expect(refused.status).toBe(431);
    expect(refused.headers.connection).toBe('close');
    expect(refused.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(refused.body)).toEqual({
      statusCode: 431,
      error: 'request_header_fields_too_large',
      message: expect.any(String),
    });
    // The agent retired that socket: the next request on it is answered, not reset.
    expect((await send(port, agent, {})).status).toBe(200);
  });

  it('answers Content-Length with Transfer-Encoding (request smuggling framing) 400 and keeps the pool usable', async () => {
    await send(port, agent, {});
    const refused = await send(port, agent, {
      method: 'POST',
      path: '/echo',
      headers: { 'content-length': '2', 'transfer-encoding': 'chunked' },
      body: '2\r\n{}\r\n0\r\n\r\n',
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.connection).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({
      statusCode: 400,
      error: 'bad_request',
      message: expect.any(String),
    });
    expect((await send(port, agent, {})).status).toBe(200);
  });

  it.each([
    ['garbage instead of a request line', '\x16\x03\x01\x02\x00hello\r\n\r\n'],
    ['a bad character in a header value', 'GET /ping HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n'],
    [
      'a malformed chunk size',
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
  ])('answers %s 400 and then closes the connection', async (_name, bytes) => {
    const answer = parseRaw(await raw(port, bytes));
    expect(answer.status).toBe(400);
    expect(answer.head).toMatch(/\r\nConnection: close\r\n/);
    expect(answer.body).toEqual({
      statusCode: 400,
      error: 'bad_request',
      message: expect.any(String),
    });
  });

  it('adds no unsolicited answer when the body of a request already answered turns out malformed', async () => {
    // application/xml is refused (415) before the body is read; Node then discards the body, and meets
    // `zz` only after the answer went out.
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const answered = new Promise<void>((resolve) =>
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('\r\n\r\n{')) resolve();
      }),
    );
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n',
    );
    await answered;
    socket.write('zz\r\n');
    await closed;
    expect(received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 415']);
    expect(logLines.filter((line) => String(line.msg).startsWith('request refused'))).toEqual([]);
  });

  it('answers chunk extensions over the limit 413', async () => {
    const request =
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
      `2;ext=${'e'.repeat(20 * 1024)}\r\n{}\r\n0\r\n\r\n`;
    const answer = parseRaw(await raw(port, request));
    expect(answer.status).toBe(413);
    expect(answer.head).toMatch(/\r\nConnection: close\r\n/);
    expect(answer.body).toEqual({
      statusCode: 413,
      error: 'payload_too_large',
      message: expect.any(String),
    });
  });

  it('answers a request not received within the request timeout 408, and closes', async () => {
    const partial =
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"a"';
    const answer = parseRaw(await raw(port, partial, { holdOpenMs: 5_000 }));
    expect(answer.status).toBe(408);
    expect(answer.head).toMatch(/\r\nConnection: close\r\n/);
    expect(answer.body).toEqual({
      statusCode: 408,
      error: 'request_timeout',
      message: expect.any(String),
    });
  });

  it('logs one line per refusal, with the status and code but none of the raw bytes', async () => {
    const secret = 'eyJhbGciOiJFUzI1NiJ9.secret-bearer-token.sig';
    await send(port, agent, { headers: { authorization: `Bearer ${secret}`, ...HUGE_HEADER } });
    await raw(
      port,
      `GET /ping HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\nX: \x01\r\n\r\n`,
    );
    const refusals = logLines.filter((line) => String(line.msg).startsWith('request refused'));
    expect(refusals).toEqual([
      expect.objectContaining({ level: 40, res: { statusCode: 431 }, code: 'HPE_HEADER_OVERFLOW' }),
      expect.objectContaining({
        level: 40,
        res: { statusCode: 400 },
        code: expect.stringMatching(/^HPE_/),
      }),
    ]);
    expect(JSON.stringify(logLines)).not.toContain('secret-bearer-token');
    expect(JSON.stringify(logLines)).not.toContain('rawPacket');
  });

  it('resets nothing over a burst mixing refused and good requests on pooled keep-alive sockets', async () => {
    const pool = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const requests = Array.from({ length: 200 }, (_, i) =>
        send(port, pool, i % 3 === 0 ? { headers: HUGE_HEADER } : {}).then(
          (answer) => answer.status,
          (error: NodeJS.ErrnoException) => error.code ?? 'error',
        ),
      );
      const statuses = await Promise.all(requests);
      expect(statuses.filter((s) => typeof s !== 'number')).toEqual([]);
      expect(statuses.filter((s) => s === 431)).toHaveLength(67);
      expect(statuses.filter((s) => s === 200)).toHaveLength(133);
    } finally {
      pool.destroy();
    }
  });
});

describe(clientErrorAnswer.name, () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408],
    ['HPE_INVALID_METHOD', 400],
    [undefined, 400],
  ])('maps %s to %i', (code, status) => {
    expect(clientErrorAnswer(code).statusCode).toBe(status);
  });
});
