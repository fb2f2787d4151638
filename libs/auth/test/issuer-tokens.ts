import type { JwtAlgorithm } from '../src';
import { InMemoryKeyStore } from '../src/testing';
import { signJws } from '../src/testing/sign-jws';

/** A provider's signing key: its JWKS, and tokens signed by it with the header the provider uses. */
export class ProviderKey {
  readonly store: InMemoryKeyStore;

  constructor(
    readonly alg: JwtAlgorithm = 'RS256',
    /** The header members besides `alg` and `kid` (`{ typ: 'JWT' }`, `{}` for none). */
    readonly header: Record<string, unknown> = { typ: 'JWT' },
  ) {
    this.store = new InMemoryKeyStore(alg);
  }

  get kid(): string {
    return this.store.signingKey.kid;
  }

  jwks(): unknown {
    return this.store.toJwks();
  }

  sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
    const { privateKey, kid } = this.store.signingKey;
    const merged: Record<string, unknown> = { alg: this.alg, kid, ...this.header };
    for (const [name, value] of Object.entries(header)) {
      if (value === null) delete merged[name];
      else merged[name] = value;
    }
    return signJws(privateKey, this.alg, merged, payload);
  }
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `iat` now, `exp` in five minutes: the time claims every provider sets. */
export const times = (): { iat: number; exp: number } => ({
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
});
