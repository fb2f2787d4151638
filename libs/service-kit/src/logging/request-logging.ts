import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Level, Logger as Pino } from 'pino';

/** 5xx are errors, 4xx warnings, the rest information: `LOG_LEVEL=warn` keeps only the failures. */
export function requestLogLevel(statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

function requestFields(request: FastifyRequest): { id: string; method: string; url: string } {
  return { id: request.id, method: request.method, url: request.url };
}

/**
 * One JSON line per answered request, written when the response has gone out:
 * `{"req":{"id","method","url"},"res":{"statusCode"},"responseTime":<ms>,"msg":"request completed"}`,
 * at the level of its status; a request the client gave up on before the answer, one
 * `request aborted` line.
 *
 * Hooks on the Fastify instance rather than pino-http's middleware: a line the level filters out
 * costs one comparison here, where pino-http built two child loggers per request (serialising and
 * redacting the request each time) and nestjs-pino ran every request inside an
 * `AsyncLocalStorage`, whose promise hooks tax every promise on Node 20. Together that was a fifth
 * of a guarded request's CPU at `LOG_LEVEL=warn` (measured in `bench/`). No header is written, so
 * credentials cannot reach these lines.
 */
export function logRequests(fastify: FastifyInstance, pino: Pino): void {
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const level = requestLogLevel(reply.statusCode);
      if (pino.isLevelEnabled(level)) {
        pino[level](
          {
            req: requestFields(request),
            res: { statusCode: reply.statusCode },
            responseTime: Math.round(reply.elapsedTime * 1000) / 1000,
          },
          'request completed',
        );
      }
      done();
    },
  );
  fastify.addHook('onRequestAbort', (request: FastifyRequest, done: () => void) => {
    if (pino.isLevelEnabled('info')) pino.info({ req: requestFields(request) }, 'request aborted');
    done();
  });
}
