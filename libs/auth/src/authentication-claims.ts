/** How the user authenticated, as the token's `acr`, `amr` and `auth_time` state it. */
export interface AuthenticationClaims {
  /** Authentication context class reference; absent when the token has none. */
  acr?: string;
  /** Authentication methods (RFC 8176); empty when the token has none. */
  amr: readonly string[];
  /** Seconds since the epoch of the last active authentication; absent when the token has none. */
  authTime?: number;
}

/** The claims, or the name of the first one that is malformed. */
export type AuthenticationClaimsReading =
  { claims: AuthenticationClaims; malformed?: undefined } | { malformed: string };

/**
 * Reads the authentication claims of a verified token. A claim that is present but malformed
 * (`amr` not a list of strings, `acr` not a string, `auth_time` not a finite number or later than
 * now plus the clock tolerance) is reported rather than skipped: the caller refuses every
 * requirement then, since an issuer that writes one of them wrongly cannot be trusted on the others.
 */
export function readAuthenticationClaims(
  claims: unknown,
  nowSeconds: number,
  toleranceSeconds: number,
): AuthenticationClaimsReading {
  if (typeof claims !== 'object' || claims === null) return { malformed: 'claims' };
  const { acr, amr, auth_time: authTime } = claims as Record<string, unknown>;
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((m) => typeof m === 'string')))
    return { malformed: 'amr' };
  if (acr !== undefined && typeof acr !== 'string') return { malformed: 'acr' };
  if (authTime !== undefined) {
    if (typeof authTime !== 'number' || !Number.isFinite(authTime))
      return { malformed: 'auth_time' };
    if (authTime > nowSeconds + toleranceSeconds) return { malformed: 'auth_time' };
  }
  return {
    claims: {
      amr: (amr as string[] | undefined) ?? [],
      ...(acr === undefined ? {} : { acr }),
      ...(authTime === undefined ? {} : { authTime }),
    },
  };
}
