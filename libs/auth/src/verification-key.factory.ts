import type { JsonWebKey, KeyObject } from 'node:crypto';

import { algorithmsForKey, toPublicKey } from './jws-algorithms';
import type { JwtAlgorithm } from './interfaces/jwt-algorithm';
import type { VerificationKey } from './interfaces/key-source.interface';

/**
 * Builds a {@link VerificationKey}: the key parsed once, and the algorithms it may verify,
 * narrowed to what the key type allows, what the key declares and what the options allow.
 * Returns `undefined` for a key that can verify none of the allowed algorithms.
 */
export function createVerificationKey(
  kid: string,
  material: string | JsonWebKey | KeyObject,
  allowed: ReadonlySet<JwtAlgorithm>,
  declaredAlg?: string,
): VerificationKey | undefined {
  const key = toPublicKey(material);
  const algorithms = algorithmsForKey(key).filter(
    (alg) => allowed.has(alg) && (declaredAlg === undefined || declaredAlg === alg),
  );
  if (algorithms.length === 0) return undefined;
  return Object.freeze({ kid, key, algorithms: new Set(algorithms) });
}
