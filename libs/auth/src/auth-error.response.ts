import type { AuthError, AuthErrorCode } from './auth.errors';

/** What an {@link AuthError} becomes on the wire. */
export interface AuthErrorResponse {
  status: 401 | 403;
  body: { statusCode: number; error: string; message: string };
  /** Value of the RFC 6750 `WWW-Authenticate` header, when the status calls for one. */
  wwwAuthenticate?: string;
}

/** RFC 7235 quoted-string: the messages are ours, but never let a quote or backslash through. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * The single mapping from a library error to HTTP status, JSON body and `WWW-Authenticate`
 * header (RFC 6750 §3). Both the exception filter and any app-level filter call this.
 */
export function describeAuthError(error: AuthError, realm: string): AuthErrorResponse {
  switch (error.code) {
    case 'ERR_TOKEN_MISSING':
      return {
        status: 401,
        body: { statusCode: 401, error: 'missing_token', message: error.message },
        wwwAuthenticate: `Bearer realm=${quote(realm)}`,
      };
    case 'ERR_INSUFFICIENT_SCOPE': {
      const scope = error.requiredScopes.join(' ');
      return {
        status: 403,
        body: { statusCode: 403, error: 'insufficient_scope', message: error.message },
        wwwAuthenticate: `Bearer realm=${quote(realm)}, error="insufficient_scope", error_description=${quote(error.message)}, scope=${quote(scope)}`,
      };
    }
    case 'ERR_INSUFFICIENT_ROLE':
      return { status: 403, body: { statusCode: 403, error: 'forbidden', message: error.message } };
    default:
      return {
        status: 401,
        body: { statusCode: 401, error: 'invalid_token', message: error.message },
        wwwAuthenticate: `Bearer realm=${quote(realm)}, error="invalid_token", error_description=${quote(error.message)}`,
      };
  }
}

/** The `extensions` of the GraphQL error an {@link AuthError} becomes. */
export interface AuthGraphqlExtensions {
  /** `UNAUTHENTICATED` where HTTP answers 401, `FORBIDDEN` where it answers 403. */
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  /** The library's stable reason, {@link AuthError.code} (`ERR_TOKEN_EXPIRED`, …). */
  error: AuthErrorCode;
}

/**
 * The same decision as {@link describeAuthError}, in GraphQL's terms: the HTTP status becomes the
 * conventional `extensions.code`, and the library's code travels as `extensions.error`.
 *
 * @example
 * ```ts
 * describeAuthErrorForGraphql(new AuthError('ERR_TOKEN_EXPIRED', 'token expired'));
 * // { code: 'UNAUTHENTICATED', error: 'ERR_TOKEN_EXPIRED' }
 * ```
 */
export function describeAuthErrorForGraphql(error: AuthError): AuthGraphqlExtensions {
  const { status } = describeAuthError(error, '');
  return { code: status === 403 ? 'FORBIDDEN' : 'UNAUTHENTICATED', error: error.code };
}

/**
 * What a WebSocket client receives for an {@link AuthError}: the payload of the `exception`
 * event (socket.io, Nest's `WsException` convention), of a `{ event: 'exception', data }`
 * message (`ws`), and the `data` of socket.io's `connect_error`.
 */
export interface AuthSocketError {
  status: 'error';
  /** The library's stable reason, {@link AuthError.code}. */
  code: AuthErrorCode;
  /** The HTTP body's `error` for the same refusal (`invalid_token`, `forbidden`, …). */
  error: string;
  message: string;
}

/**
 * The same decision as {@link describeAuthError}, for a WebSocket client.
 *
 * @example
 * ```ts
 * describeAuthErrorForSocket(new AuthError('ERR_INSUFFICIENT_ROLE', 'requires role editor'));
 * // { status: 'error', code: 'ERR_INSUFFICIENT_ROLE', error: 'forbidden', message: 'requires role editor' }
 * ```
 */
export function describeAuthErrorForSocket(error: AuthError): AuthSocketError {
  const { body } = describeAuthError(error, '');
  return { status: 'error', code: error.code, error: body.error, message: error.message };
}

/** The error object a refused microservice message answers with (what the client's `send()` errors with). */
export interface AuthRpcError {
  status: 'error';
  /** The library's stable reason, {@link AuthError.code}. */
  code: AuthErrorCode;
  /** RFC 6750's error where HTTP answers 401 with one, else `forbidden`/`missing_token` as on HTTP. */
  error: string;
  message: string;
}

/**
 * The same decision as {@link describeAuthError}, as the `RpcException` error object Nest's
 * `BaseRpcExceptionFilter` sends back: `status: 'error'` as Nest's own RPC errors, the HTTP body's
 * `error` and the stable code.
 *
 * @example
 * ```ts
 * describeAuthErrorForRpc(new AuthError('ERR_INSUFFICIENT_ROLE', 'requires role editor'));
 * // { status: 'error', code: 'ERR_INSUFFICIENT_ROLE', error: 'forbidden', message: 'requires role editor' }
 * ```
 */
export function describeAuthErrorForRpc(error: AuthError): AuthRpcError {
  const { body } = describeAuthError(error, '');
  return { status: 'error', code: error.code, error: body.error, message: error.message };
}
