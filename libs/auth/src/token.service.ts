import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';

import { AUTH_RESOLVED_OPTIONS } from './auth.constants';
import type { AccessTokenClaims, AuthPrincipal } from './interfaces/auth-principal.interface';
import type { SigningKey } from './interfaces/key-source.interface';
import type { ResolvedAuthOptions } from './resolved-auth-options';
import { TokenVerifier } from './token-verifier';

/** What to put in an access token. */
export interface AccessTokenInput {
  /** User id, or client id for a service client. */
  sub: string;
  /** The OAuth client the token is issued to (RFC 9068 `client_id`). */
  clientId: string;
  roles?: string[];
  /** Scopes, as a list or a space-separated string. */
  scope?: string[] | string;
  /** Session id (`sid`), for tokens minted from a user session. */
  sessionId?: string;
  /** Overrides the audience (default: the first configured audience). */
  audience?: string | string[];
  /** Overrides the lifetime in seconds (default: `accessTokenTtlSeconds`). */
  expiresInSeconds?: number;
  /**
   * More claims about the subject (e.g. OpenID's `email_verified`, RFC 8176 `amr`). They never replace a
   * registered claim this service sets (`iss`, `sub`, `aud`, `exp`, `iat`, `jti`, `client_id`,
   * `scope`, `roles`, `sid`).
   */
  claims?: Record<string, string | number | boolean | readonly string[]>;
  /**
   * Binds the token to a DPoP key (RFC 9449 §6): its RFC 7638 thumbprint becomes `cnf.jkt`, and
   * resource servers then refuse the token without a proof signed by that key.
   */
  dpopJkt?: string;
}

/** A freshly signed access token. */
export interface IssuedAccessToken {
  token: string;
  /** Lifetime in seconds, for the `expires_in` of a token response. */
  expiresIn: number;
  claims: AccessTokenClaims;
}

/**
 * Signs access tokens (with `@nestjs/jwt`, header `typ: at+jwt` and `kid`) and verifies tokens
 * with exactly the guard's rules, for code outside HTTP (queues, WebSockets, CLIs).
 *
 * @example
 * ```ts
 * const { token, expiresIn } = await tokens.sign({ sub: user.id, clientId: 'web', roles: user.roles });
 * const verified = await tokens.sign({ sub: user.id, clientId: 'web', claims: { email_verified: true } });
 * const principal = await tokens.verify(token);
 * ```
 */
@Injectable()
export class TokenService {
  constructor(
    @Inject(AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedAuthOptions,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  /**
   * `@nestjs/jwt`'s `JwtService`, configured once for the current signing key: its key and sign
   * options are set at construction, so a signature passes no options. Passed per call, they made
   * `JwtService` copy the options and delete the key from the copy (which turns it into a slow
   * dictionary object for jsonwebtoken): 0.65× of `crypto.sign` (row 2b of `bench/`) against 0.74×
   * configured once, measured in the same interleaved rounds.
   */
  private signer?: { key: SigningKey; jwt: JwtService };

  /** Signs an access token with the key store's current key. Needs the `keyStore` option. */
  async sign(input: AccessTokenInput): Promise<IssuedAccessToken> {
    const source = this.options.keySource;
    if (source.kind !== 'store') {
      throw new Error(
        'TokenService.sign needs the keyStore option: this module only verifies tokens',
      );
    }
    const signingKey = await source.store.getSigningKey();
    const expiresIn = input.expiresInSeconds ?? this.options.accessTokenTtlSeconds;
    const iat = Math.floor(this.options.clock.now() / 1000);
    const scope = Array.isArray(input.scope) ? input.scope.join(' ') : (input.scope ?? '');
    const claims: AccessTokenClaims = {
      ...input.claims,
      iss: this.options.issuer,
      sub: input.sub,
      aud: input.audience ?? this.options.audiences[0],
      exp: iat + expiresIn,
      iat,
      jti: randomUUID(),
      client_id: input.clientId,
      scope,
      roles: input.roles ?? [],
      ...(input.sessionId === undefined ? {} : { sid: input.sessionId }),
      ...(input.dpopJkt === undefined ? {} : { cnf: { jkt: input.dpopJkt } }),
    };
    // The synchronous path: jsonwebtoken's async one goes through streams and is slower.
    const token = this.signerFor(signingKey).sign(claims);
    return { token, expiresIn, claims };
  }

  /** The `JwtService` of this signing key, made anew when the key store hands out another key. */
  private signerFor(key: SigningKey): JwtService {
    const current = this.signer;
    if (
      current &&
      current.key.kid === key.kid &&
      current.key.alg === key.alg &&
      current.key.privateKey === key.privateKey
    ) {
      return current.jwt;
    }
    const jwt = new JwtService({
      privateKey: key.privateKey,
      signOptions: {
        algorithm: key.alg as 'ES256',
        header: { alg: key.alg, typ: 'at+jwt', kid: key.kid },
      },
    });
    this.signer = { key, jwt };
    return jwt;
  }

  /** Verifies a token exactly as the JWT guard does; throws an `AuthError` when it is refused. */
  verify(token: string): Promise<AuthPrincipal> {
    return this.verifier.verify(token);
  }
}
