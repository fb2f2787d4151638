import { Inject, Injectable } from '@nestjs/common';
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { ServerSecrets } from '../crypto/server-secrets';
import { generateSigningKeyPair } from '../keys/key-pair.generator';
import { DbSigningKeyStore } from '../keys/signing-key.store';

/** The algorithms of ID tokens: ES256 by default, RS256 for clients that register it. */
export const ID_TOKEN_ALGORITHMS = ['ES256', 'RS256'] as const;
export type IdTokenAlgorithm = (typeof ID_TOKEN_ALGORITHMS)[number];

export interface IdTokenKey {
  kid: string;
  alg: IdTokenAlgorithm;
  privateKey: KeyObject;
}

interface StoredKey {
  kid: string;
  pem: string;
  jwk: JsonWebKey;
}

/**
 * Signing keys of ID tokens. The access-token key (JWT_ALG) signs ID tokens of its algorithm, so
 * they rotate with it; an ID token of the other algorithm is signed by a key made once and
 * shared by every instance through the server secrets (sealed like the others) and published
 * in the JWKS beside the access-token keys.
 */
@Injectable()
export class IdTokenKeys {
  private readonly extra = new Map<IdTokenAlgorithm, { key: IdTokenKey; jwk: JsonWebKey }>();
  private readonly absentUntil = new Map<IdTokenAlgorithm, number>();

  constructor(
    @Inject(DbSigningKeyStore) private readonly store: DbSigningKeyStore,
    @Inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  async keyFor(alg: IdTokenAlgorithm): Promise<IdTokenKey> {
    if (alg === this.config.jwtAlg) {
      const key = await this.store.getSigningKey();
      return { kid: key.kid, alg, privateKey: key.privateKey as KeyObject };
    }
    return (await this.extraKey(alg, true))!.key;
  }

  /** The public keys of the extra ID-token keys that exist (for the JWKS). */
  async publishedKeys(): Promise<JsonWebKey[]> {
    const keys: JsonWebKey[] = [];
    for (const alg of ID_TOKEN_ALGORITHMS) {
      if (alg === this.config.jwtAlg) continue;
      const found = await this.extraKey(alg, false);
      if (found) keys.push(found.jwk);
    }
    return keys;
  }

  private async extraKey(
    alg: IdTokenAlgorithm,
    create: boolean,
  ): Promise<{ key: IdTokenKey; jwk: JsonWebKey } | undefined> {
    const cached = this.extra.get(alg);
    if (cached) return cached;
    const name = `id_token_key:${alg}`;
    const make = async () => {
      const pair = await generateSigningKeyPair(alg);
      const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      return JSON.stringify({ kid: pair.kid, pem, jwk: pair.publicJwk } satisfies StoredKey);
    };
    let value: string | undefined;
    if (create) value = await this.secrets.getOrCreateValue(name, make);
    else {
      // Publishing must not fail with the database away (the JWKS keeps being served), and a
      // missing key is looked for again only every KEY_RELOAD_SECONDS.
      const now = Date.now();
      if ((this.absentUntil.get(alg) ?? 0) > now) return undefined;
      value = await this.secrets.findValue(name).catch(() => undefined);
      if (value === undefined) {
        this.absentUntil.set(alg, now + this.config.keyReloadSeconds * 1000);
        return undefined;
      }
    }
    const stored = JSON.parse(value) as StoredKey;
    const entry = {
      key: { kid: stored.kid, alg, privateKey: createPrivateKey(stored.pem) },
      jwk: stored.jwk,
    };
    this.extra.set(alg, entry);
    return entry;
  }
}
