import { createHash, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';

import { accessTokenHash } from '../dpop/dpop-proof.verifier';
import { signJws } from './sign-jws';

/** Options of {@link TestDpopKey.proof}. */
export interface TestDpopProofOptions {
  /** The server nonce to carry (after a `use_dpop_nonce` refusal handed one out). */
  nonce?: string;
  /** Seconds to add to the proof's `iat` (negative: an old proof, for the hostile cases). */
  iatOffsetSeconds?: number;
  /** Claims to add or override (`jti`, `htu`, …); `null` removes one. */
  claims?: Record<string, unknown>;
  /** Header members to add or override (`typ`, `jwk`, …); `null` removes one. */
  header?: Record<string, unknown>;
}

/**
 * A DPoP client key for tests (ES256): the claim that binds a test token to it, and the proofs
 * (RFC 9449) a client holding it sends. Every claim and header member can be overridden, so
 * hostile proofs are one call away. For HTTP the proof's URL is the one the request goes to
 * (with supertest, `http://127.0.0.1:<port>/path`); for a socket.io handshake it is
 * `<origin>/socket.io/`, for a `ws` or graphql-ws upgrade the upgrade's URL.
 *
 * @example
 * ```ts
 * const key = TestDpopKey.generate();
 * const token = tokens.sign({ sub: 'u1', cnf: key.cnf });
 * const url = `${await app.getUrl()}/me`;
 * await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: key.proof('GET', url, token) } });
 * ```
 */
export class TestDpopKey {
  /** The RFC 7638 thumbprint of the public key: a bound token's `cnf.jkt`. */
  readonly jkt: string;
  private readonly publicJwk: Record<string, unknown>;

  private constructor(
    private readonly privateKey: KeyObject,
    publicKey: KeyObject,
  ) {
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    this.publicJwk = { kty, crv, x, y };
    // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
    this.jkt = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  }

  /** A fresh P-256 key pair. */
  static generate(): TestDpopKey {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return new TestDpopKey(privateKey, publicKey);
  }

  /** The confirmation claim of a token bound to this key: `tokens.sign({ cnf: key.cnf })`. */
  get cnf(): { jkt: string } {
    return { jkt: this.jkt };
  }

  /** The public key as the proofs carry it in their `jwk` header. */
  get jwk(): Record<string, unknown> {
    return { ...this.publicJwk };
  }

  /**
   * A proof of a `method` request to `url` (query and fragment dropped, as RFC 9449 §4.2 asks),
   * over `accessToken` when given (`ath`), with a fresh `jti` and the current `iat`.
   */
  proof(
    method: string,
    url: string,
    accessToken?: string,
    options: TestDpopProofOptions = {},
  ): string {
    const target = new URL(url);
    const header = override({ alg: 'ES256', typ: 'dpop+jwt', jwk: this.jwk }, options.header);
    const claims = override(
      {
        jti: randomUUID(),
        htm: method,
        htu: `${target.origin}${target.pathname}`,
        iat: Math.floor(Date.now() / 1000) + (options.iatOffsetSeconds ?? 0),
        ...(accessToken === undefined ? {} : { ath: accessTokenHash(accessToken) }),
        ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      },
      options.claims,
    );
    return signJws(this.privateKey, 'ES256', header, claims);
  }
}

function override(
  base: Record<string, unknown>,
  changes: Record<string, unknown> = {},
): Record<string, unknown> {
  const result = { ...base };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete result[name];
    else result[name] = value;
  }
  return result;
}
