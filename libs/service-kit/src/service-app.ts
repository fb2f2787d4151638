import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { ApiExceptionFilter } from './api-exception.filter';
import { installEarlyErrorHandler } from './early-error-handler';
import { ClientErrorResponder } from './client-error.handler';
import type { TrustProxy } from './env-reader';
import { acceptRequestId } from './logging.module';
import { logRequests } from './logging/request-logging';
import { ServiceLogger } from './logging/service-logger';
import { observeHttpLatency } from './metrics';
import { type OpenApiOptions, setupOpenApi } from './openapi';
import { createValidationPipe } from './validation.pipe';

/** Bodies above this are refused with 413 before parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * A request (headers and body) not received within this is answered 408 and its connection
 * closed. Fastify leaves Node's request timeout off, which lets a client that trickles its
 * headers or body hold a connection for ever.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Creates a Nest app on Fastify with what every service needs: the pino logger, the error
 * filter, DTO validation, a 64 KiB body limit, a 30 s request timeout, and parser errors answered
 * in the contract's shape with `Connection: close`.
 */
export async function createServiceApp(
  rootModule: unknown,
  options: {
    logger?: boolean;
    metrics?: boolean;
    openApi?: OpenApiOptions;
    trustProxy?: TrustProxy;
    /** Default {@link REQUEST_TIMEOUT_MS}; tests shorten it. */
    requestTimeoutMs?: number;
  } = {},
): Promise<NestFastifyApplication> {
  const clientErrors = new ClientErrorResponder();
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const adapter = new FastifyAdapter({
    // `request.ip` (rate limits, audit log, sessions) is the peer's address unless TRUST_PROXY
    // names the proxies whose X-Forwarded-For may say otherwise.
    trustProxy: fastifyTrustProxy(options.trustProxy ?? false),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: 200 },
    // Defence against prototype poisoning through JSON bodies.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // Fastify applies the X-Request-Id rule; request log lines carry the same id, and every
    // response, errors and 404s included, echoes it.
    requestIdHeader: false,
    genReqId: acceptRequestId,
    // Parser errors (431, 400, 408, 413) answered with `Connection: close` and the contract's body.
    clientErrorHandler: clientErrors.handle,
    requestTimeout,
    // Node checks for timed-out requests this often (30 s by default, too coarse for a short timeout).
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4))),
    },
  });
  installEarlyErrorHandler(adapter);
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  adapter.getInstance().addHook('onResponse', (request, _reply, done) => {
    clientErrors.noteAnswered(request.raw);
    done();
  });
  if (options.metrics) observeHttpLatency(adapter.getInstance() as unknown as FastifyInstance);
  const app = await NestFactory.create<NestFastifyApplication>(rootModule as never, adapter, {
    bufferLogs: options.logger !== false,
    abortOnError: false,
    ...(options.logger === false ? { logger: false as const } : {}),
  });
  if (options.logger !== false) {
    const logger = app.get(ServiceLogger);
    clientErrors.logger = logger.pino;
    app.useLogger(logger);
    logRequests(adapter.getInstance() as unknown as FastifyInstance, logger.pino);
  }
  app.useGlobalFilters(app.get(ApiExceptionFilter));
  app.useGlobalPipes(createValidationPipe());
  if (options.openApi) setupOpenApi(app, options.openApi);
  return app;
}

/** Fastify's form of {@link TrustProxy}: a hop count becomes proxy-addr's own hop test. */
function fastifyTrustProxy(
  trust: TrustProxy,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * Listens on `host:port` (port 0 picks a free one; the chosen address is logged) and returns the
 * URL. SIGTERM/SIGINT close the app: no new connections, requests in flight answered, then exit 0;
 * a shutdown that takes more than 10 s exits anyway.
 */
export async function listen(
  app: INestApplication,
  port: number,
  host: string,
  name: string,
): Promise<string> {
  await app.listen(port, host);
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const logger = app.get(ServiceLogger);
  logger.log(`${name} listening on ${url}`, 'Bootstrap');
  closeOnSignals(app, name, logger);
  return url;
}

/** Most a graceful shutdown may take before the process exits anyway. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * SIGTERM or SIGINT: stop accepting, let requests in flight finish, run the modules' shutdown
 * hooks (database, Redis), exit 0. Nest's own `enableShutdownHooks` re-raises the signal, which
 * makes the exit status 143; the contract wants 0.
 */
function closeOnSignals(
  app: INestApplication,
  name: string,
  logger: { log(message: string, context: string): void },
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: ${name} shutting down`, 'Bootstrap');
    const deadline = setTimeout(() => {
      process.stderr.write(
        `${name}: shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms, exiting\n`,
      );
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`${name}: error during shutdown: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a repeated signal (Ctrl-C reaches a child from the terminal and from its
  // supervisor) must hit the `closing` guard, not the default action that kills mid-shutdown.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
