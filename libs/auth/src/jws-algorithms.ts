import { constants, createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';

import type { JwtAlgorithm } from './interfaces/jwt-algorithm';

/** How `node:crypto` verifies (and signs) each JWS algorithm (RFC 7518 §3). */
export interface JwsAlgorithmParams {
  /** Digest for `crypto.verify`; `null` for EdDSA, which hashes internally. */
  readonly digest: string | null;
  /** ECDSA signatures in JWS are raw r||s, not DER. */
  readonly dsaEncoding?: 'ieee-p1363';
  /** Exact signature length where the algorithm fixes it. */
  readonly signatureBytes?: number;
  readonly padding?: number;
  readonly saltLength?: number;
}

export const JWS_ALGORITHMS: Readonly<Record<JwtAlgorithm, JwsAlgorithmParams>> = {
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363', signatureBytes: 64 },
  ES384: { digest: 'sha384', dsaEncoding: 'ieee-p1363', signatureBytes: 96 },
  RS256: { digest: 'sha256', padding: constants.RSA_PKCS1_PADDING },
  PS256: {
    digest: 'sha256',
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
  },
  EdDSA: { digest: null, signatureBytes: 64 },
};

/** The algorithms a key can serve, from its type and curve (RSA keys shorter than 2048 bits serve none). */
export function algorithmsForKey(key: KeyObject): JwtAlgorithm[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details.namedCurve === 'prime256v1') return ['ES256'];
      if (details.namedCurve === 'secp384r1') return ['ES384'];
      return [];
    case 'rsa':
      return (details.modulusLength ?? 0) >= 2048 ? ['RS256', 'PS256'] : [];
    case 'rsa-pss':
      // A key restricted to other PSS parameters makes crypto.verify throw on every PS256 token.
      return (details.modulusLength ?? 0) >= 2048 && isPs256Compatible(details) ? ['PS256'] : [];
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}

function isPs256Compatible(details: NonNullable<KeyObject['asymmetricKeyDetails']>): boolean {
  return (
    (details.hashAlgorithm ?? 'sha256') === 'sha256' &&
    (details.mgf1HashAlgorithm ?? 'sha256') === 'sha256' &&
    (details.saltLength ?? 0) <= 32
  );
}

/** Parses PEM, JWK or KeyObject into a public `KeyObject`; private material is reduced to its public half. */
export function toPublicKey(input: string | JsonWebKey | KeyObject): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type === 'secret')
      throw new Error('a symmetric key cannot verify asymmetric signatures');
    return input.type === 'private' ? createPublicKey(input) : input;
  }
  if (typeof input === 'string') return createPublicKey(input);
  if (input.kty === 'oct') throw new Error('a symmetric key cannot verify asymmetric signatures');
  return createPublicKey({ key: publicJwkMembers(input), format: 'jwk' });
}

/** Members that make up a public JWK; everything else (notably `d`, `p`, `q`) is dropped. */
export function publicJwkMembers(jwk: JsonWebKey): JsonWebKey {
  const { kty, crv, x, y, n, e } = jwk;
  const result: JsonWebKey = { kty };
  for (const [name, value] of Object.entries({ crv, x, y, n, e })) {
    if (value !== undefined) result[name] = value;
  }
  return result;
}
