import { Inject, Injectable } from '@nestjs/common';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { createHash } from 'node:crypto';

import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import type { OAuthClientEntity, UserEntity } from '../database/entities';
import { DbSigningKeyStore } from '../keys/signing-key.store';
import { acrOf } from '../sessions/auth-methods';
import { ID_TOKEN_ALGORITHMS, IdTokenKeys } from './id-token-keys';
import { userClaims } from './user-claims';

/** ID tokens live as long as a code is worth redeeming for; they are not access tokens. */
const ID_TOKEN_TTL_SECONDS = 300;

/** OpenID Connect Core §3.1.3.6: the left half of the SHA-256 of the access token. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');
}

export interface IdTokenInput {
  client: OAuthClientEntity;
  user: UserEntity;
  scopes: string[];
  nonce: string | null;
  authTime: number;
  /** How the user signed in to the browser session (RFC 8176). */
  amr: readonly string[];
  /** The browser session (OpenID Connect `sid`, what RP-initiated logout ends). */
  browserSessionId: string;
  accessToken: string;
}

/** What a verified `id_token_hint` says. */
export interface IdTokenHint {
  sub: string;
  aud: string[];
  sid?: string;
}

/** Signs ID tokens (jose) and verifies the ones this server issued, as hints. */
@Injectable()
export class IdTokens {
  constructor(
    @Inject(IdTokenKeys) private readonly keys: IdTokenKeys,
    @Inject(DbSigningKeyStore) private readonly store: DbSigningKeyStore,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async sign(input: IdTokenInput): Promise<string> {
    const alg = input.client.idTokenSignedResponseAlg ?? 'ES256';
    const key = await this.keys.keyFor(alg);
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({
      ...userClaims(input.user, input.scopes),
      auth_time: Math.floor(input.authTime / 1000),
      ...(input.nonce ? { nonce: input.nonce } : {}),
      amr: [...input.amr],
      acr: acrOf(input.amr),
      azp: input.client.clientId,
      at_hash: atHash(input.accessToken),
      sid: input.browserSessionId,
    })
      .setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setSubject(input.user.id)
      .setAudience(input.client.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + ID_TOKEN_TTL_SECONDS)
      .sign(key.privateKey);
  }

  /**
   * An ID token this server issued, checked but for expiry (a hint is usually an old token,
   * OpenID Connect Core §3.1.2.1); null when it is not one.
   */
  async verifyHint(token: string): Promise<IdTokenHint | null> {
    try {
      const header = decodeProtectedHeader(token);
      if (header.typ !== 'JWT') return null;
      const keys = [...(await this.store.publishedKeys()), ...(await this.keys.publishedKeys())];
      const jwks = createLocalJWKSet({ keys: keys as never });
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.config.issuer,
        algorithms: [...ID_TOKEN_ALGORITHMS],
        currentDate: new Date(this.clock.now()),
        // Expiry does not matter for a hint: the signature and issuer do.
        clockTolerance: Number.MAX_SAFE_INTEGER,
      });
      if (typeof payload.sub !== 'string' || typeof payload.azp !== 'string') return null;
      const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      return {
        sub: payload.sub,
        aud,
        ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}),
      };
    } catch {
      return null;
    }
  }
}
