import { cognitoIssuer, type IssuerConfig, keycloakIssuer } from '../src';
import { ProviderKey } from './issuer-tokens';

/** The `iss` of the static-key neighbour issuer. */
export const NEIGHBOUR_ISSUER = 'https://neighbour.test';

/** A neighbour's ES256 key, the same algorithm as the trusted test issuer's. */
export const NEIGHBOUR_KEY = new ProviderKey('ES256', { typ: 'at+jwt' });

/**
 * Issuers configured next to the test issuer, so that the same suites run through issuer
 * selection (several issuers) as well as the single-issuer path: one with static keys of the
 * same algorithm and audience, and two presets whose key endpoints are unreachable (a token
 * that picks them can only fail to find its key).
 */
export function neighbourIssuers(audience = 'test-api'): IssuerConfig[] {
  return [
    {
      issuer: NEIGHBOUR_ISSUER,
      audience,
      publicKeys: [{ kid: NEIGHBOUR_KEY.kid, key: NEIGHBOUR_KEY.store.signingKey.privateKey }],
    },
    keycloakIssuer({ baseUrl: 'http://127.0.0.1:9', realm: 'r', clientId: audience }),
    cognitoIssuer({
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_Neighbour1',
      clientIds: [audience],
      jwksUri: 'http://127.0.0.1:9/jwks.json',
      jwks: { timeoutMs: 200 },
    }),
  ];
}
