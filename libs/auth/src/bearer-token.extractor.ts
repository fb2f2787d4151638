import { AuthError } from './auth.errors';

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

interface RequestWithHeaders {
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Reads the bearer token from the `Authorization` header. Returns `null` when the request has no
 * bearer credentials at all (then the challenge carries no error, RFC 6750 §3.1); throws
 * `ERR_TOKEN_MALFORMED` for a `Bearer` header that does not hold one token.
 * Tokens in query strings or bodies are not accepted (RFC 6750 §5.3, RFC 9700).
 */
export function extractBearerToken(request: RequestWithHeaders): string | null {
  const header = request.headers?.authorization;
  if (header === undefined || header === '') return null;
  if (typeof header !== 'string')
    throw new AuthError('ERR_TOKEN_MALFORMED', 'several Authorization headers');
  const match = BEARER.exec(header);
  if (match) return match[1];
  if (/^Bearer(\s|$)/i.test(header))
    throw new AuthError('ERR_TOKEN_MALFORMED', 'malformed bearer credentials');
  return null;
}
