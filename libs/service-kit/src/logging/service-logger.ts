import type { LoggerService } from '@nestjs/common';
import type { Level, Logger as Pino } from 'pino';

/** Nest's verbose is pino's trace. */
type NestLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';
const PINO_LEVEL: Record<NestLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's logger interface over one pino instance: what `app.useLogger()` gets, so that Nest's own
 * lines and every `new Logger(Context)` in the code come out as the same JSON as request lines.
 *
 * Nest calls `log(message, context)` and `error(message, stack, context)`; the context becomes a
 * `context` field, a stack a `stack` field, an `Error` goes through pino's `err` serializer and a
 * plain object is merged into the line. A level pino has disabled costs one comparison.
 */
export class ServiceLogger implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(nestLevel: NestLevel, message: unknown, params: unknown[]): void {
    const level = PINO_LEVEL[nestLevel];
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    // The last string is the context, unless it is the stack Nest passes to error() without one.
    const last = rest[rest.length - 1];
    if (typeof last === 'string' && !(nestLevel === 'error' && isStack(last))) {
      fields.context = last;
      rest.pop();
    }
    if (nestLevel === 'error' && typeof rest[0] === 'string') fields.stack = rest.shift();
    else if (rest[0] === undefined && rest.length > 0) rest.shift(); // Nest's placeholder for "no stack"
    if (rest.length > 0) fields.params = rest;

    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      this.pino[level]({ ...fields, ...message });
    else this.pino[level](fields, String(message));
  }
}

function isStack(text: string): boolean {
  return /\n\s+at /.test(text);
}
