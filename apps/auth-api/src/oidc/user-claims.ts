import type { UserEntity } from '../database/entities';

/** The claims OpenID Connect clients may ask for, by scope (OpenID Connect Core §5.4). */
export const SUPPORTED_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'amr',
  'acr',
  'azp',
  'at_hash',
  'sid',
  'email',
  'updated_at',
];

/**
 * The user's claims the granted scopes allow, from the data auth-api holds: the email (no
 * verification flow exists, so `email_verified` is not claimed) and, for `profile`, `updated_at`
 * (accounts have no name yet).
 */
export function userClaims(user: UserEntity, scopes: readonly string[]): Record<string, unknown> {
  return {
    ...(scopes.includes('email') ? { email: user.email } : {}),
    ...(scopes.includes('profile') ? { updated_at: Math.floor(user.updatedAt / 1000) } : {}),
  };
}
