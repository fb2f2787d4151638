/**
 * The two kinds of authorization endpoint errors (RFC 6749 §4.1.2.1): before the client and
 * redirect URI are known good, an error page (never a redirect, or the server would be an open
 * redirector); after, a redirect to the client with `error`, `state` and `iss`.
 */

/** Shown as an HTML error page with status 400. */
export class AuthorizePageError extends Error {
  constructor(readonly description: string) {
    super(description);
  }
}

/** OpenID Connect Core §3.1.2.6 and RFC 6749 §4.1.2.1 error codes. */
export type AuthorizeErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported';

/** Redirected to the client's validated redirect URI. */
export class AuthorizeRedirectError extends Error {
  constructor(
    readonly code: AuthorizeErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}
