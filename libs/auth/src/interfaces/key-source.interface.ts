import type { KeyObject } from 'node:crypto';

import type { JwtAlgorithm } from './jwt-algorithm';

/** A public key the verifier may check signatures with, parsed once. */
export interface VerificationKey {
  readonly kid: string;
  readonly key: KeyObject;
  /** Algorithms this key may verify (from its JWK `alg`, else from its type and curve). */
  readonly algorithms: ReadonlySet<JwtAlgorithm>;
}

/**
 * Where verification keys come from: a remote JWKS, static keys, or an issuer's own key store.
 * Implement it to plug in another source.
 */
export interface KeySource {
  /** The key with this `kid`, fetching fresh keys if the source allows it; `undefined` if unknown. */
  getKey(kid: string): Promise<VerificationKey | undefined>;
  /**
   * Whether `kid` is still in the key set as last loaded, without any I/O. The verified-token
   * cache asks this on every hit so that a key leaving the set takes its tokens with it.
   */
  hasKey(kid: string): boolean;
  /**
   * The key with this `kid` when it is already loaded, without any I/O or asynchronous step;
   * `undefined` when it is not (then {@link getKey} decides, fetching if it may). Optional: the
   * verifier's synchronous path ({@link TokenVerifier.verifySync}) uses it when present, and a
   * source without it is simply always asked through `getKey`.
   */
  peekKey?(kid: string): VerificationKey | undefined;
}
/** Injection token of the active {@link KeySource}. */
export const KeySource = Symbol('auth:key_source');

/** A private key an issuer signs with. */
export interface SigningKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly privateKey: KeyObject;
}

/**
 * A key source that can also sign: what an issuer (such as auth-api) gives the library so that
 * `TokenService` can mint tokens and the same keys verify them.
 */
export interface SigningKeyStore extends KeySource {
  /** The key new tokens are signed with. */
  getSigningKey(): Promise<SigningKey>;
}
