import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Verifies an ID token's signature against the provider's published JWKS (found through
 * discovery), its `iss` and `aud`. openid-client skips the signature of ID tokens it received
 * from the token endpoint directly (OIDC Core §3.1.3.7 allows it over TLS), so the suites check it.
 */
export async function verifyIdToken(
  issuer: string,
  idToken: string,
  clientId: string,
  algorithms = ['ES256'],
): Promise<{ payload: JWTPayload; header: Record<string, unknown> }> {
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  const { jwks_uri: jwksUri } = (await discovery.json()) as { jwks_uri: string };
  const { payload, protectedHeader } = await jwtVerify(
    idToken,
    createRemoteJWKSet(new URL(jwksUri)),
    {
      issuer,
      audience: clientId,
      algorithms,
    },
  );
  return { payload, header: protectedHeader as Record<string, unknown> };
}
