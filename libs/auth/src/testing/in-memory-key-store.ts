import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

import type { JwtAlgorithm } from '../interfaces/jwt-algorithm';
import type {
  SigningKey,
  SigningKeyStore,
  VerificationKey,
} from '../interfaces/key-source.interface';
import { algorithmsForKey } from '../jws-algorithms';

function generatePrivateKey(alg: JwtAlgorithm): KeyObject {
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

/**
 * A {@link SigningKeyStore} that keeps freshly generated keys in memory: for tests, and for
 * single-process issuers that do not need keys to survive a restart.
 *
 * @example
 * ```ts
 * const keys = new InMemoryKeyStore('ES256');
 * AuthModule.forRoot({ issuer: 'http://test', audience: 'api', keyStore: keys });
 * keys.rotate(); // new tokens use a new kid; the old key still verifies
 * ```
 */
export class InMemoryKeyStore implements SigningKeyStore {
  private readonly keys = new Map<string, VerificationKey>();
  private active!: SigningKey;

  constructor(private readonly alg: JwtAlgorithm = 'ES256') {
    this.rotate();
  }

  /** Makes a new key the signing key; the previous ones stay until {@link remove}d. Returns the new kid. */
  rotate(): string {
    const privateKey = generatePrivateKey(this.alg);
    const publicKey = createPublicKey(privateKey);
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const kid = createHash('sha256').update(der).digest('base64url').slice(0, 16);
    this.active = { kid, alg: this.alg, privateKey };
    const algorithms = new Set(algorithmsForKey(publicKey).filter((a) => a === this.alg));
    this.keys.set(kid, { kid, key: publicKey, algorithms });
    return kid;
  }

  /** Drops a key from the set: tokens it signed stop verifying. */
  remove(kid: string): void {
    this.keys.delete(kid);
  }

  /** The public keys as a JWK Set, as an issuer would publish them. */
  toJwks(): { keys: Array<Record<string, unknown>> } {
    return {
      keys: [...this.keys.values()].map(({ kid, key }) => ({
        ...key.export({ format: 'jwk' }),
        kid,
        alg: this.alg,
        use: 'sig',
      })),
    };
  }

  get signingKey(): SigningKey {
    return this.active;
  }

  async getSigningKey(): Promise<SigningKey> {
    return this.active;
  }

  async getKey(kid: string): Promise<VerificationKey | undefined> {
    return this.keys.get(kid);
  }

  peekKey(kid: string): VerificationKey | undefined {
    return this.keys.get(kid);
  }

  hasKey(kid: string): boolean {
    return this.keys.has(kid);
  }
}
