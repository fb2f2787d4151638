import type { AuthError, AuthErrorCode } from './auth.errors';

/** What an {@link AuthError} becomes on the wire. */
export interface AuthErrorResponse {
  status: 401 | 403;
  body: { statusCode: number; error: string; message: string };
  /** Value of the RFC 6750 `WWW-Authenticate` header, when the status calls for one. */
  wwwAuthenticate?: string;
  /** Value of the RFC 9449 `DPoP-Nonce` header, when the client must use a server nonce. */
  dpopNonce?: string;
}

/** RFC 7235 quoted-string: the messages are ours, but never let a quote or backslash through. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * RFC 9470 §3's requirement, as a challenge's auth-params and as the members other transports
 * carry: `acr_values` a space-separated list, `max_age` a non-negative integer. Only
 * `ERR_INSUFFICIENT_USER_AUTHENTICATION` has one; every other code has none, so its answers keep
 * exactly the members they had.
 */
export interface AuthLevelDetails {
  /** The `acr` values any one of which would do, space-separated, in order of preference. */
  acr_values?: string;
  /** Most seconds allowed since the user last actively authenticated. */
  max_age?: number;
}

function authLevelDetails(error: AuthError): AuthLevelDetails {
  if (error.code !== 'ERR_INSUFFICIENT_USER_AUTHENTICATION') return {};
  const { acrValues, maxAge } = error;
  // An AuthError built by hand could carry anything: only RFC 9470's shapes reach the header.
  const validAge = typeof maxAge === 'number' && Number.isSafeInteger(maxAge) && maxAge >= 0;
  return {
    ...(acrValues.length > 0 ? { acr_values: acrValues.join(' ') } : {}),
    ...(validAge ? { max_age: maxAge } : {}),
  };
}

/**
 * RFC 9470 §3: `acr_values` is a quoted string. `max_age` may be a token or a quoted string; it is
 * sent as the bare integer, the form a client parsing it as a number reads most simply.
 */
function authLevelParams(details: AuthLevelDetails): string {
  const acr = details.acr_values === undefined ? '' : `, acr_values=${quote(details.acr_values)}`;
  const age = details.max_age === undefined ? '' : `, max_age=${details.max_age}`;
  return acr + age;
}

/**
 * The single mapping from a library error to HTTP status, JSON body and `WWW-Authenticate`
 * header (RFC 6750 §3). Both the exception filter and any app-level filter call this.
 */
export function describeAuthError(error: AuthError, realm: string): AuthErrorResponse {
  const described = describeForBearer(error, realm);
  if (error.dpopAlgorithms === undefined || described.wwwAuthenticate === undefined)
    return described;
  // RFC 9449 §7.1: the same auth-params under the DPoP scheme, with the proof algorithms.
  const algs = `algs=${quote(error.dpopAlgorithms.join(' '))}`;
  return {
    ...described,
    wwwAuthenticate: described.wwwAuthenticate.replace(
      /^Bearer (realm="[^"]*")/,
      `DPoP $1, ${algs}`,
    ),
    ...(error.dpopNonce ? { dpopNonce: error.dpopNonce } : {}),
  };
}

function describeForBearer(error: AuthError, realm: string): AuthErrorResponse {
  switch (error.code) {
    case 'ERR_DPOP_PROOF_INVALID':
    case 'ERR_DPOP_NONCE_REQUIRED': {
      const code =
        error.code === 'ERR_DPOP_PROOF_INVALID' ? 'invalid_dpop_proof' : 'use_dpop_nonce';
      return {
        status: 401,
        body: { statusCode: 401, error: code, message: error.message },
        wwwAuthenticate: `Bearer realm=${quote(realm)}, error="${code}", error_description=${quote(error.message)}`,
      };
    }
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
    case 'ERR_INSUFFICIENT_USER_AUTHENTICATION':
      // RFC 9470 §3: 401, so that the client starts a new authorization request meeting the requirement.
      return {
        status: 401,
        body: {
          statusCode: 401,
          error: 'insufficient_user_authentication',
          message: error.message,
        },
        wwwAuthenticate: `Bearer realm=${quote(realm)}, error="insufficient_user_authentication", error_description=${quote(error.message)}${authLevelParams(authLevelDetails(error))}`,
      };
    default:
      return {
        status: 401,
        body: { statusCode: 401, error: 'invalid_token', message: error.message },
        wwwAuthenticate: `Bearer realm=${quote(realm)}, error="invalid_token", error_description=${quote(error.message)}`,
      };
  }
}

/**
 * The `extensions` of the GraphQL error an {@link AuthError} becomes; a refused
 * `@RequireAuthLevel` adds its `acr_values` / `max_age` (see {@link AuthLevelDetails}).
 */
export interface AuthGraphqlExtensions extends AuthLevelDetails {
  /** `UNAUTHENTICATED` where HTTP answers 401, `FORBIDDEN` where it answers 403. */
  code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  /** The library's stable reason, {@link AuthError.code} (`ERR_TOKEN_EXPIRED`, …). */
  error: AuthErrorCode;
  /**
   * `ERR_DPOP_NONCE_REQUIRED`: the server nonce the DPoP proof must carry (what HTTP sends as
   * `DPoP-Nonce`, which a GraphQL answer in `errors[]` or a subscription cannot).
   */
  dpop_nonce?: string;
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
  const { status, dpopNonce } = describeAuthError(error, '');
  return {
    code: status === 403 ? 'FORBIDDEN' : 'UNAUTHENTICATED',
    error: error.code,
    ...authLevelDetails(error),
    ...(dpopNonce ? { dpop_nonce: dpopNonce } : {}),
  };
}

/**
 * What a WebSocket client receives for an {@link AuthError}: the payload of the `exception`
 * event (socket.io, Nest's `WsException` convention), of a `{ event: 'exception', data }`
 * message (`ws`), and the `data` of socket.io's `connect_error`. A refused `@RequireAuthLevel`
 * adds its `acr_values` / `max_age`.
 */
export interface AuthSocketError extends AuthLevelDetails {
  status: 'error';
  /** The library's stable reason, {@link AuthError.code}. */
  code: AuthErrorCode;
  /** The HTTP body's `error` for the same refusal (`invalid_token`, `forbidden`, …). */
  error: string;
  message: string;
  /** `use_dpop_nonce`: the server nonce the handshake's DPoP proof must carry (HTTP's `DPoP-Nonce`). */
  dpop_nonce?: string;
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
  const { body, dpopNonce } = describeAuthError(error, '');
  return {
    status: 'error',
    code: error.code,
    error: body.error,
    message: error.message,
    ...authLevelDetails(error),
    ...(dpopNonce ? { dpop_nonce: dpopNonce } : {}),
  };
}

/**
 * The error object a refused microservice message answers with (what the client's `send()`
 * errors with). A refused `@RequireAuthLevel` adds its `acr_values` / `max_age`.
 */
export interface AuthRpcError extends AuthLevelDetails {
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
  return {
    status: 'error',
    code: error.code,
    error: body.error,
    message: error.message,
    ...authLevelDetails(error),
  };
}
