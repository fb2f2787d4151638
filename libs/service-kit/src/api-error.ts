import { HttpException, HttpStatus } from '@nestjs/common';

/** The body every non-OAuth error has: `{statusCode, error, message}` with a stable snake_case `error`. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * An HTTP error with a stable code, for handlers and services to throw.
 *
 * @example
 * ```ts
 * throw new ApiError(409, 'email_taken', 'an account with this email exists');
 * ```
 */
export class ApiError extends HttpException {
  constructor(
    status: HttpStatus | number,
    readonly code: string,
    message: string,
    extra: Record<string, unknown> = {},
    /** Response headers that belong to this error, such as `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ statusCode: status, error: code, message, ...extra } satisfies ApiErrorBody, status);
  }
}

/** Default codes for statuses thrown without one (by Nest, the throttler or a plain HttpException). */
export const DEFAULT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  431: 'request_header_fields_too_large',
  500: 'internal_error',
  503: 'service_unavailable',
};

export function defaultErrorCode(status: number): string {
  return DEFAULT_ERROR_CODES[status] ?? (status >= 500 ? 'internal_error' : 'bad_request');
}
