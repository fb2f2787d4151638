/** Asymmetric JWS algorithms the library verifies. HMAC and `none` are deliberately absent (RFC 8725 §3.1). */
export type JwtAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

/** Every algorithm {@link JwtAlgorithm} allows, for validating configuration. */
export const SUPPORTED_ALGORITHMS: readonly JwtAlgorithm[] = [
  'ES256',
  'ES384',
  'RS256',
  'PS256',
  'EdDSA',
];
