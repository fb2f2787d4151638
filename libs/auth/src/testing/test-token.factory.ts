import { randomUUID } from 'node:crypto';

import type { AccessTokenClaims } from '../interfaces/auth-principal.interface';
import type { InMemoryKeyStore } from './in-memory-key-store';
import { signJws } from './sign-jws';

/** Options of {@link TestTokenFactory.sign}. */
export interface TestTokenOptions {
  /** Header members to add or override (`alg`, `typ`, `kid`, `crit`, …); `null` removes one. */
  header?: Record<string, unknown>;
  /** Lifetime in seconds (default 300); negative makes an expired token. */
  expiresIn?: number;
  /** Removes these claims after defaults are applied (to test missing-claim handling). */
  omitClaims?: string[];
}

/**
 * Mints access tokens for tests, signed by an {@link InMemoryKeyStore} the app under test
 * trusts. Every header member and claim can be overridden, so hostile tokens are one call away.
 *
 * @example
 * ```ts
 * const token = tokens.sign({ sub: 'u1', roles: ['editor'] });
 * await request(app.getHttpServer()).post('/articles').auth(token, { type: 'bearer' }).expect(201);
 * ```
 */
export class TestTokenFactory {
  constructor(
    private readonly keys: InMemoryKeyStore,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  sign(claims: Partial<AccessTokenClaims> = {}, options: TestTokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const { kid, alg, privateKey } = this.keys.signingKey;
    const header: Record<string, unknown> = { alg, typ: 'at+jwt', kid };
    for (const [name, value] of Object.entries(options.header ?? {})) {
      if (value === null) delete header[name];
      else header[name] = value;
    }
    const payload: Record<string, unknown> = {
      iss: this.issuer,
      sub: 'test-user',
      aud: this.audience,
      iat: now,
      exp: now + (options.expiresIn ?? 300),
      jti: randomUUID(),
      client_id: 'test-client',
      scope: '',
      roles: ['user'],
      ...claims,
    };
    for (const name of options.omitClaims ?? []) delete payload[name];
    return signJws(privateKey, alg, header, payload);
  }
}
