/** RFC 6749 §5.1 token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** The `client_id` of tokens issued through auth-api's own password login (auth-api acts as the client). */
export const FIRST_PARTY_CLIENT_ID = 'auth-api';
