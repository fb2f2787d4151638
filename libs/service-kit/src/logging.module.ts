import { type DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';

import type { LogFormat, LogLevel } from './env-reader';
import { ServiceLogger } from './logging/service-logger';

/** A client-supplied request id is kept only when it is short and plain, so it cannot forge log lines. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's `X-Request-Id` when acceptable, else a new one. */
export function acceptRequestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Field names that hold a credential, blanked at the top of a log line and one level down. */
const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'refresh_token',
  'access_token',
  'client_secret',
  'privateKey',
  'token',
];

/** Paths pino blanks out wherever they appear: credentials never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
];

/** Injection token of the service's pino instance. */
export const PINO_LOGGER = Symbol('service-kit:pino');

/**
 * The one pino instance of a service: its level, its `service` field, redaction, JSON or pretty.
 * JSON goes to stdout unless `destination` says otherwise (tests read their lines from one).
 */
export function createPinoLogger(
  options: { level: LogLevel; service: string; format?: LogFormat },
  destination?: DestinationStream,
): Pino {
  // JSON lines unless a person is watching: a terminal, or LOG_FORMAT=pretty (npm start sets it
  // when its own output is a terminal, since the services' output then goes through a pipe).
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  const settings = {
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (pretty)
    return pino({
      ...settings,
      transport: { target: 'pino-pretty', options: { singleLine: true } },
    });
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * Structured JSON logs through pino: Nest's own lines and every `new Logger(Context)` via
 * {@link ServiceLogger}, and one line per request (`createServiceApp` installs the hooks of
 * `logRequests`) with its id; credentials redacted; human-readable when attached to a terminal.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: { level: LogLevel; service: string; format?: LogFormat }): DynamicModule {
    return {
      module: LoggingModule,
      global: true,
      providers: [
        { provide: PINO_LOGGER, useFactory: () => createPinoLogger(options) },
        {
          provide: ServiceLogger,
          useFactory: (logger: Pino) => new ServiceLogger(logger),
          inject: [PINO_LOGGER],
        },
      ],
      exports: [PINO_LOGGER, ServiceLogger],
    };
  }
}
