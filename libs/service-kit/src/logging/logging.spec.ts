import { Controller, Get, HttpCode, Logger, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { type AddressInfo, connect } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';

import type { LogLevel } from '../env-reader';
import { createPinoLogger } from '../logging.module';
import { logRequests, requestLogLevel } from './request-logging';
import { ServiceLogger } from './service-logger';

/** A pino destination that keeps every line, parsed. */
function capture(): { stream: Writable; lines: Array<Record<string, unknown>>; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    get lines() {
      return chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => chunks.join(''),
  };
}

function serviceLogger(level: LogLevel) {
  const out = capture();
  const logger = new ServiceLogger(
    createPinoLogger({ level, service: 'svc', format: 'json' }, out.stream),
  );
  return { logger, out };
}

describe(ServiceLogger.name, () => {
  it('writes Nest-style calls as JSON lines with the context, at pino levels', () => {
    const { logger, out } = serviceLogger('trace');
    logger.log('started', 'Bootstrap');
    logger.warn('careful', 'Keys');
    logger.verbose('detail', 'Keys');
    logger.debug('more');
    expect(
      out.lines.map(({ level, context, msg, service }) => ({ level, context, msg, service })),
    ).toEqual([
      { level: 30, context: 'Bootstrap', msg: 'started', service: 'svc' },
      { level: 40, context: 'Keys', msg: 'careful', service: 'svc' },
      { level: 10, context: 'Keys', msg: 'detail', service: 'svc' },
      { level: 20, context: undefined, msg: 'more', service: 'svc' },
    ]);
  });

  it('keeps a stack as a stack, with or without a context', () => {
    const { logger, out } = serviceLogger('info');
    const stack = new Error('boom').stack as string;
    logger.error('failed', stack, 'Filter');
    logger.error('failed again', stack);
    logger.error('no stack', undefined, 'Filter');
    const [withContext, withoutContext, noStack] = out.lines;
    expect(withContext).toMatchObject({ level: 50, msg: 'failed', context: 'Filter', stack });
    expect(withoutContext).toMatchObject({ level: 50, msg: 'failed again', stack });
    expect(withoutContext.context).toBeUndefined();
    expect(noStack).toMatchObject({ msg: 'no stack', context: 'Filter' });
    expect(noStack.stack).toBeUndefined();
  });

  it('serialises an Error and merges a plain object, redacting credentials in it', () => {
    const { logger, out } = serviceLogger('info');
    logger.error(new Error('kaput'), 'Ctx');
    logger.log(
      { msg: 'user created', user: { email: 'a@b.c', password: 'hunter2' }, token: 'eyJ...' },
      'Users',
    );
    const [error, object] = out.lines;
    expect(error).toMatchObject({
      msg: 'kaput',
      context: 'Ctx',
      err: { type: 'Error', message: 'kaput' },
    });
    expect(object).toMatchObject({
      msg: 'user created',
      user: { email: 'a@b.c', password: '[redacted]' },
      token: '[redacted]',
    });
    expect(out.raw()).not.toContain('hunter2');
  });

  it('writes nothing below its level', () => {
    const { logger, out } = serviceLogger('warn');
    logger.log('quiet');
    logger.debug('quieter');
    logger.warn('loud');
    expect(out.lines.map((l) => l.msg)).toEqual(['loud']);
  });
});

/** A promise and the function that settles it. */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}
let slowRouteGate = gate();

@Controller()
class DemoController {
  @Get('ok')
  ok() {
    return { ok: true };
  }

  @Get('teapot')
  @HttpCode(418)
  teapot() {
    return {};
  }

  /** Answers after `slowRouteGate` opens: time for a client to give up first. */
  @Get('slow')
  async slow() {
    await slowRouteGate.promise;
    return { slow: true };
  }

  @Get('boom')
  boom(@Req() _request: unknown): never {
    new Logger('Demo').log('about to fail');
    throw new Error('boom');
  }
}

@Module({ controllers: [DemoController] })
class DemoModule {}

async function appLoggingAt(level: LogLevel) {
  const out = capture();
  const pino = createPinoLogger({ level, service: 'svc', format: 'json' }, out.stream);
  const adapter = new FastifyAdapter();
  logRequests(adapter.getInstance() as unknown as FastifyInstance, pino);
  const app = await NestFactory.create<NestFastifyApplication>(DemoModule, adapter, {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, out };
}

describe(logRequests.name, () => {
  it('writes one line per request, at the level of its status, with id, method, url and time', async () => {
    const { app, out } = await appLoggingAt('info');
    try {
      const http = () => request(app.getHttpServer());
      await http().get('/ok?x=1').set('Authorization', 'Bearer secret-token').expect(200);
      await http().get('/teapot').expect(418);
      await http().get('/missing').expect(404);
      await http().get('/boom').expect(500);
      const requests = out.lines.filter((l) => l.msg === 'request completed');
      expect(
        requests.map((l) => [
          l.level,
          (l.req as { url: string }).url,
          (l.res as { statusCode: number }).statusCode,
        ]),
      ).toEqual([
        [30, '/ok?x=1', 200],
        [40, '/teapot', 418],
        [40, '/missing', 404],
        [50, '/boom', 500],
      ]);
      for (const line of requests) {
        expect(line).toMatchObject({
          service: 'svc',
          req: { id: expect.any(String), method: 'GET' },
        });
        expect(typeof line.responseTime).toBe('number');
      }
      expect(out.raw()).not.toContain('secret-token');
    } finally {
      await app.close();
    }
  });

  it('at LOG_LEVEL=warn keeps the failures only', async () => {
    const { app, out } = await appLoggingAt('warn');
    try {
      const http = () => request(app.getHttpServer());
      await http().get('/ok').expect(200);
      await http().get('/missing').expect(404);
      expect(out.lines.map((l) => (l.res as { statusCode: number }).statusCode)).toEqual([404]);
    } finally {
      await app.close();
    }
  });

  it('writes one `request aborted` line when the client hangs up before the answer', async () => {
    const { app, out } = await appLoggingAt('info');
    slowRouteGate = gate();
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        'GET /slow?q=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-token\r\n\r\n',
      );
      // Hang up while the handler waits on the gate.
      await new Promise((r) => setTimeout(r, 150));
      socket.destroy();
      const deadline = Date.now() + 5000;
      while (!out.lines.some((l) => l.msg === 'request aborted') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      slowRouteGate.resolve();
      await new Promise((r) => setTimeout(r, 50));
      const aborted = out.lines.filter((l) => l.msg === 'request aborted');
      expect(aborted).toEqual([
        expect.objectContaining({
          level: 30,
          req: { id: expect.any(String), method: 'GET', url: '/slow?q=1' },
        }),
      ]);
      expect(out.raw()).not.toContain('secret-token');
    } finally {
      slowRouteGate.resolve();
      await app.close();
    }
  });

  it.each([
    [200, 'info'],
    [302, 'info'],
    [401, 'warn'],
    [429, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ])('status %i is logged at %s', (status, level) => {
    expect(requestLogLevel(status)).toBe(level);
  });
});
