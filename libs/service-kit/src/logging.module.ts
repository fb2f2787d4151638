import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LoggerModule } from 'nestjs-pino';

import type { LogFormat, LogLevel } from './env-reader';

/** A client-supplied request id is kept only when it is short and plain, so it cannot forge log lines. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's `X-Request-Id` when acceptable, else a new one. */
export function acceptRequestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Takes `X-Request-Id` from the request when acceptable, else makes one, and echoes it on the
 * response. pino-http calls it where the framework has not set `req.id` (Express); on Fastify,
 * `createServiceApp` gives Fastify the same rule, and pino-http reuses Fastify's id.
 */
export function requestIdFor(request: IncomingMessage, response: ServerResponse): string {
  const id = acceptRequestId(request);
  response.setHeader('X-Request-Id', id);
  return id;
}

/** Paths pino blanks out wherever they appear: credentials never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refresh_token',
  '*.access_token',
  '*.client_secret',
  '*.privateKey',
  '*.token',
];

/**
 * Structured JSON logs through nestjs-pino: one line per request with its id, credentials
 * redacted; human-readable when attached to a terminal.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: { level: LogLevel; service: string; format?: LogFormat }): DynamicModule {
    // JSON lines unless a person is watching: a terminal, or LOG_FORMAT=pretty (npm start sets it
    // when its own output is a terminal, since the services' output then goes through a pipe).
    const format = options.format ?? 'auto';
    const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino's default route ('{/*splat}') matches nothing on Fastify with Nest 12.
          forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            genReqId: requestIdFor,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            customLogLevel: (_req, res, error) =>
              error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            },
            transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
