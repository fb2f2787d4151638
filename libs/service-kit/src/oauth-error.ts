import { HttpException } from '@nestjs/common';

/** RFC 6749 §5.2 error codes (plus RFC 7009's `unsupported_token_type` and RFC 9449's DPoP ones). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  // RFC 9449 §5 and §8.
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce';

/**
 * An error of the OAuth endpoints: the body is exactly `{error, error_description}` (RFC 6749
 * §5.2), never the `{statusCode, …}` shape of the other endpoints.
 */
export class OAuthError extends HttpException {
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
    status = code === 'invalid_client' ? 401 : 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ error: code, error_description: description }, status);
  }
}
