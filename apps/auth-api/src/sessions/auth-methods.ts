import type { SessionEntity } from '../database/entities';

/**
 * RFC 8176 authentication method references, as auth-api uses them: `pwd` a password, `otp` a
 * one-time code (TOTP or a recovery code), `hwk` a device-bound passkey, `swk` a synced one, and
 * `mfa` when the sign-in proved more than one factor (a password and a code; or a passkey with
 * user verification, which is possession plus a PIN or biometric).
 */
export type AuthMethod = 'pwd' | 'otp' | 'hwk' | 'swk' | 'mfa';

const AUTH_METHODS: ReadonlySet<string> = new Set<AuthMethod>(['pwd', 'otp', 'hwk', 'swk', 'mfa']);

/**
 * The `acr` of a sign-in: `"1"` one factor, `"2"` more than one. Keycloak's levels of assurance,
 * so that resource servers written for it (and `@RequireAuthLevel('mfa')`) read ours unchanged.
 */
export const ACR_VALUES = ['1', '2'] as const;

export function acrOf(amr: readonly string[]): (typeof ACR_VALUES)[number] {
  return amr.includes('mfa') ? '2' : '1';
}

/** How the session was signed into; unknown words (none are written) are dropped, never trusted. */
export function authMethodsOf(session: Pick<SessionEntity, 'amr'>): AuthMethod[] {
  return session.amr.split(' ').filter((method): method is AuthMethod => AUTH_METHODS.has(method));
}
