import {
  generateKeyPair as generateKeyPairCallback,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';

import type { SigningAlgorithm } from '../config/auth-api.config';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface GeneratedKeyPair {
  kid: string;
  alg: SigningAlgorithm;
  publicJwk: JsonWebKey;
  privateKey: KeyObject;
}

/** A new key pair for `alg`; its kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKeyPair(alg: SigningAlgorithm): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? await generateKeyPair('ec', { namedCurve: 'P-256' })
      : await generateKeyPair('rsa', { modulusLength: 3072 });
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint(
    jwk as Parameters<typeof calculateJwkThumbprint>[0],
    'sha256',
  );
  return { kid, alg, publicJwk: { ...jwk, kid, alg, use: 'sig' }, privateKey };
}
