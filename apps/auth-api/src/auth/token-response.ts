/** RFC 6749 §5.1 token response. */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to the key of the request's proof (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** The `client_id` of tokens issued through auth-api's own password login (auth-api acts as the client). */
export const FIRST_PARTY_CLIENT_ID = 'auth-api';
