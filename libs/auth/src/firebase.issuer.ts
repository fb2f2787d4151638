import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { applyPresetOptions, type IssuerPresetOptions, presetSegment } from './issuer-preset';

/** Where Google publishes the keys of Firebase Auth ID tokens, as X.509 certificates by `kid`. */
export const FIREBASE_X509_URL =
  'https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com';

/** Options of {@link firebaseIssuer}. `jwksUri` replaces the certificate map's URL. */
export interface FirebaseIssuerOptions extends IssuerPresetOptions {
  /** The Firebase project id. */
  projectId: string;
  /** The custom claim holding roles (set with the Admin SDK's `setCustomUserClaims`). Default `roles`. */
  rolesClaim?: string;
}

/**
 * Firebase Auth ID tokens, which Firebase apps send as bearer tokens: issuer
 * `https://securetoken.google.com/<projectId>`, `aud` the project id, RS256, keys from Google's
 * X.509 certificate map (refreshed by its `Cache-Control: max-age`). ID tokens are explicitly
 * allowed as bearers for this issuer only; `sub` must be non-empty and `auth_time` in the past.
 * Roles from a top-level custom claim.
 *
 * @example
 * ```ts
 * firebaseIssuer({ projectId: 'my-app-12345' })
 * ```
 */
export function firebaseIssuer(options: FirebaseIssuerOptions): IssuerConfig {
  const projectId = presetSegment('firebaseIssuer', 'projectId', options.projectId);
  return applyPresetOptions(
    {
      issuer: `https://securetoken.google.com/${projectId}`,
      audience: projectId,
      algorithms: ['RS256'],
      x509Uri: FIREBASE_X509_URL,
      tokenType: { headerTypes: ['JWT'], idTokensAsBearers: true, requireAuthTime: true },
      claims: { roles: [options.rolesClaim ?? 'roles'], scope: [], clientId: [] },
    },
    options,
    'x509Uri',
  );
}
