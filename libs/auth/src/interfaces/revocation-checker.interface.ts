import type { AuthPrincipal } from './auth-principal.interface';

/**
 * Optional hook asked after every successful verification (cache hits included), for services
 * that must refuse a token before it expires: a revoked session, a deleted client, a denied `jti`.
 *
 * @example
 * ```ts
 * class SessionRevocationChecker implements RevocationChecker {
 *   async isRevoked(principal: AuthPrincipal) {
 *     return principal.sessionId !== undefined && !(await this.sessions.isActive(principal.sessionId));
 *   }
 * }
 * ```
 */
export interface RevocationChecker {
  isRevoked(principal: AuthPrincipal): boolean | Promise<boolean>;
}
/** Injection token of the configured {@link RevocationChecker} (or `null`). */
export const RevocationChecker = Symbol('auth:revocation_checker');
