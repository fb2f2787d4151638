import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import {
  AUTH_RESOLVED_OPTIONS,
  AuthError,
  describeAuthError,
  type ResolvedAuthOptions,
} from '@jwt-token/auth';

import { ApiError, type ApiErrorBody, defaultErrorCode } from './api-error';
import { ApiGraphqlError } from './graphql-error';
import { OAuthError } from './oauth-error';
import { isDependencyUnavailable } from './unavailable';

/** Errors raised by Fastify or body parsers before a handler runs carry a status and a code. */
interface FrameworkError {
  statusCode?: number;
  status?: number;
  code?: string;
  message?: string;
}

const FRAMEWORK_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  'entity.parse.failed': 'invalid_json',
  'entity.too.large': 'payload_too_large',
};

/** Paths under `/oauth/` are RFC 6749 endpoints: their errors are `{error, error_description}`. */
function isOAuthEndpoint(request: { url?: string; originalUrl?: string } | undefined): boolean {
  const url = request?.originalUrl ?? request?.url ?? '';
  return url.startsWith('/oauth/');
}

/**
 * The one catch-all filter: every error leaves as `{statusCode, error, message}` (OAuth
 * endpoints: `{error, error_description}`). Library
 * `AuthError`s go through the library's own mapping (status, `WWW-Authenticate`). An
 * unreachable database is a 503 `service_unavailable`. Anything
 * unexpected becomes a 500 whose details are logged, never returned.
 */
@Catch()
@Injectable()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(AUTH_RESOLVED_OPTIONS) private readonly authOptions?: ResolvedAuthOptions,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Error | undefined {
    // A resolver's error goes back to the GraphQL driver, which reports it in `errors[]`.
    if (host.getType<string>() === 'graphql') return this.forGraphql(exception);
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    if (exception instanceof AuthError) {
      const described = describeAuthError(exception, this.authOptions?.realm ?? 'api');
      if (described.wwwAuthenticate)
        httpAdapter.setHeader(response, 'WWW-Authenticate', described.wwwAuthenticate);
      httpAdapter.reply(response, described.body, described.status);
      return;
    }
    if (exception instanceof OAuthError) {
      this.replyOAuth(response, exception.getStatus(), exception.getResponse(), exception.headers);
      return;
    }
    const request = host
      .switchToHttp()
      .getRequest<{ id?: unknown; url?: string; originalUrl?: string } | undefined>();
    const { status, body, headers } = this.describe(
      exception,
      typeof request?.id === 'string' ? request.id : undefined,
    );
    if (status < 500 && isOAuthEndpoint(request)) {
      // RFC 6749 §5.2: even errors raised before the handler (body parsing, throttling) keep the OAuth shape.
      this.replyOAuth(
        response,
        status,
        { error: 'invalid_request', error_description: body.message },
        headers,
      );
      return;
    }
    for (const [name, value] of Object.entries(headers))
      httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, body, status);
    return undefined;
  }

  /** `AuthError`s carry their own GraphQL extensions; anything else is described as on HTTP. */
  private forGraphql(exception: unknown): Error {
    if (exception instanceof AuthError) return exception;
    const { status, body } = this.describe(exception);
    return new ApiGraphqlError(status, body);
  }

  private replyOAuth(
    response: unknown,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>>,
  ): void {
    const { httpAdapter } = this.adapterHost;
    const all = { 'Cache-Control': 'no-store', Pragma: 'no-cache', ...headers };
    for (const [name, value] of Object.entries(all)) httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, body, status);
  }

  /** `requestId` goes into the log lines of 5xx, so that they join the request's own line. */
  private describe(
    exception: unknown,
    requestId?: string,
  ): { status: number; body: ApiErrorBody; headers: Record<string, string> } {
    const req = requestId ? { req: { id: requestId } } : {};
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const raw = exception.getResponse();
      const headers: Record<string, string> =
        exception instanceof ApiError ? { ...exception.headers } : {};
      if (status >= 500) this.logger.error({ ...req, msg: exception.message }, exception.stack);
      if (
        typeof raw === 'object' &&
        raw !== null &&
        typeof (raw as ApiErrorBody).error === 'string' &&
        /^[a-z_]+$/.test((raw as ApiErrorBody).error)
      ) {
        return { status, body: { ...(raw as ApiErrorBody), statusCode: status }, headers };
      }
      const message =
        typeof raw === 'string'
          ? raw
          : typeof (raw as { message?: unknown }).message === 'string'
            ? (raw as { message: string }).message
            : exception.message;
      // The Fastify adapter wraps body-parser errors in an HttpException; the cause keeps the code.
      const cause = exception.cause as FrameworkError | undefined;
      const code = (cause?.code && FRAMEWORK_CODES[cause.code]) || defaultErrorCode(status);
      return { status, body: { statusCode: status, error: code, message }, headers };
    }
    const framework = exception as FrameworkError | null;
    const status = framework?.statusCode ?? framework?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = (framework?.code && FRAMEWORK_CODES[framework.code]) || defaultErrorCode(status);
      return {
        status,
        body: { statusCode: status, error: code, message: framework?.message ?? code },
        headers: {},
      };
    }
    if (isDependencyUnavailable(exception)) {
      // The database (or another dependency) is unreachable: a transient 503, not a bug.
      this.logger.warn({ ...req, msg: `dependency unavailable: ${(exception as Error).message}` });
      return {
        status: 503,
        body: {
          statusCode: 503,
          error: 'service_unavailable',
          message: 'a dependency is unavailable; try again shortly',
        },
        headers: { 'Retry-After': '1' },
      };
    }
    this.logger.error(
      { ...req, msg: `unhandled error: ${(exception as Error)?.message ?? String(exception)}` },
      (exception as Error)?.stack,
    );
    return {
      status: 500,
      body: { statusCode: 500, error: 'internal_error', message: 'internal server error' },
      headers: {},
    };
  }
}
