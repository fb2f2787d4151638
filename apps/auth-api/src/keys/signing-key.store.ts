import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import type { Repository } from 'typeorm';

import {
  createVerificationKey,
  type SigningKey,
  type SigningKeyStore,
  type VerificationKey,
} from '@jwt-token/auth';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { AuthApiMetrics } from '../common/auth-api.metrics';
import { CLOCK, type Clock } from '../common/clock';
import { SecretBox } from '../crypto/secret-box';
import { SigningKeyEntity } from '../database/entities';
import { generateSigningKeyPair } from './key-pair.generator';

/** A retired key stays published this long after the last token it signed expires (clock skew). */
const RETIREMENT_GRACE_MS = 60_000;
/** An unknown kid reloads the keys from the database at most this often. */
const UNKNOWN_KID_RELOAD_MS = 1000;

const newestFirst = (a: SigningKeyEntity, b: SigningKeyEntity) =>
  (b.activatedAt ?? b.createdAt) - (a.activatedAt ?? a.createdAt) || a.kid.localeCompare(b.kid);

/**
 * The issuer's keys, kept in the database so that every instance signs with the same active key
 * and publishes the same JWKS; each instance reloads them every KEY_RELOAD_SECONDS.
 *
 * The JWKS always carries the next key before it signs anything: a rotation activates that
 * pre-published key, so resource servers that cached the JWKS already know the new `kid` and
 * accept the first token it signs. The previous key is retired but stays published until every
 * token it signed has expired.
 */
@Injectable()
export class DbSigningKeyStore implements SigningKeyStore, OnModuleInit {
  private readonly logger = new Logger(DbSigningKeyStore.name);
  private active: SigningKey | null = null;
  private nextKid: string | null = null;
  private keys = new Map<string, VerificationKey>();
  private publicJwks: JsonWebKey[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private latestActivation = Number.NEGATIVE_INFINITY;
  private reloading: Promise<void> | null = null;

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly repository: Repository<SigningKeyEntity>,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AuthApiMetrics) private readonly metrics: AuthApiMetrics,
  ) {}

  onModuleInit(): Promise<void> {
    return this.initialize();
  }

  /** Makes sure an active and a next key for the configured algorithm exist, then loads the set. */
  async initialize(): Promise<void> {
    await this.sealPlainKeys();
    await this.load();
    if (!this.active) {
      this.logger.log(`no active ${this.config.jwtAlg} signing key: generating one`);
      await this.createKey({ activate: true });
    }
    if (!this.nextKid) await this.createKey({ activate: false });
    await this.load();
  }

  /**
   * Activates the pre-published next key (new tokens carry its kid at once), retires the previous
   * active key, and publishes a new next key. Returns the kid now signing.
   */
  async rotate(): Promise<string> {
    await this.load();
    const next = this.nextKid;
    if (!next) {
      await this.createKey({ activate: true });
    } else {
      const activatedAt = this.nextActivationTime();
      const result = await this.repository
        .createQueryBuilder()
        .update(SigningKeyEntity)
        .set({ activatedAt })
        .where('kid = :kid AND activated_at IS NULL AND retired_at IS NULL', { kid: next })
        .execute();
      if (result.affected === 1) await this.retireKeysActivatedBefore(next, activatedAt);
    }
    await this.createKey({ activate: false });
    await this.load();
    if (!this.active) throw new Error('no active signing key after rotation');
    this.metrics.keyRotated();
    return this.active.kid;
  }

  async getSigningKey(): Promise<SigningKey> {
    if (this.isStale()) await this.reload();
    if (!this.active) throw new Error('no active signing key');
    return this.active;
  }

  async getKey(kid: string): Promise<VerificationKey | undefined> {
    if (this.keys.has(kid) && !this.isStale()) return this.keys.get(kid);
    if (this.keys.has(kid) || this.clock.now() - this.loadedAt >= UNKNOWN_KID_RELOAD_MS)
      await this.reload();
    return this.keys.get(kid);
  }

  hasKey(kid: string): boolean {
    return this.keys.has(kid);
  }

  /** The public halves of the next, the active and every retired key whose tokens may still be valid. */
  async publishedKeys(): Promise<JsonWebKey[]> {
    if (this.isStale()) await this.reload();
    return this.publicJwks;
  }

  /** Every stored key (retired ones are deleted once their tokens have expired). */
  listKeys(): Promise<SigningKeyEntity[]> {
    return this.repository.find();
  }

  get activeKid(): string | undefined {
    return this.active?.kid;
  }

  private isStale(): boolean {
    return this.clock.now() - this.loadedAt >= this.config.keyReloadSeconds * 1000;
  }

  private reload(): Promise<void> {
    this.reloading ??= this.load()
      .catch((error: Error) => {
        // Keep serving with the keys we have; the database may be briefly away.
        this.logger.warn(`reloading signing keys failed: ${error.message}`);
        if (!this.active) throw error;
      })
      .finally(() => (this.reloading = null));
    return this.reloading;
  }

  private async createKey({ activate }: { activate: boolean }): Promise<void> {
    const pair = await generateSigningKeyPair(this.config.jwtAlg);
    const pem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const activatedAt = activate ? this.nextActivationTime() : null;
    await this.repository.insert({
      kid: pair.kid,
      alg: pair.alg,
      publicJwk: JSON.stringify(pair.publicJwk),
      privateKey: this.secretBox.seal(pem),
      createdAt: this.clock.now(),
      activatedAt,
      retiredAt: null,
    });
    if (activatedAt !== null) await this.retireKeysActivatedBefore(pair.kid, activatedAt);
  }

  /**
   * Now, or just after the latest activation this instance has loaded when that is not earlier
   * (a rotation within the same millisecond, or a clock behind another instance's), so that a
   * newly activated key is always the newest and retires its predecessor.
   */
  private nextActivationTime(): number {
    return Math.max(this.clock.now(), this.latestActivation + 1);
  }

  /**
   * Retires the keys activated before `activatedAt` (and every key of another algorithm), never a
   * later one (activation times only grow, see {@link nextActivationTime}). When two instances
   * activate a key at once (two replicas starting on an empty database), each retires only what
   * is older than its own, so the newest of the two stays active. "Every other key" would let
   * each retire the other's and leave none to sign with.
   *
   * Separate statements, no transaction: SQLite shares one connection between requests. A crash
   * in between, or two activations in the same millisecond, leaves an extra unretired key, which
   * is harmless: every instance picks the same newest active key to sign with.
   */
  private async retireKeysActivatedBefore(kid: string, activatedAt: number): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .update(SigningKeyEntity)
      .set({ retiredAt: this.clock.now() })
      .where(
        'retired_at IS NULL AND kid <> :kid AND (activated_at < :activatedAt OR alg <> :alg)',
        { kid, activatedAt, alg: this.config.jwtAlg },
      )
      .execute();
  }

  private async load(): Promise<void> {
    const now = this.clock.now();
    const oldestUseful = now - (this.config.accessTokenTtl * 1000 + RETIREMENT_GRACE_MS);
    const rows = (await this.repository.find()).sort(newestFirst);
    const live = rows.filter((row) => row.retiredAt === null || row.retiredAt > oldestUseful);
    const keys = new Map<string, VerificationKey>();
    const jwks: JsonWebKey[] = [];
    for (const row of live) {
      const jwk = JSON.parse(row.publicJwk) as JsonWebKey;
      const key = createVerificationKey(row.kid, jwk, new Set([row.alg as 'ES256']), row.alg);
      if (!key) continue;
      keys.set(row.kid, key);
      jwks.push(jwk);
    }
    const usable = live.filter((row) => row.retiredAt === null && row.alg === this.config.jwtAlg);
    const current = usable.find((row) => row.activatedAt !== null);
    this.nextKid = usable.find((row) => row.activatedAt === null)?.kid ?? null;
    this.active = current
      ? {
          kid: current.kid,
          alg: current.alg as SigningKey['alg'],
          privateKey:
            this.active?.kid === current.kid
              ? this.active.privateKey
              : createPrivateKey(this.secretBox.open(current.privateKey)),
        }
      : null;
    this.keys = keys;
    this.publicJwks = jwks;
    this.loadedAt = now;
    this.latestActivation = Math.max(
      Number.NEGATIVE_INFINITY,
      ...rows.map((row) => row.activatedAt ?? Number.NEGATIVE_INFINITY),
    );
    const expired = rows.filter((row) => !live.includes(row)).map((row) => row.kid);
    if (expired.length > 0) await this.repository.delete(expired);
  }

  /** Seals private keys stored in clear or under an earlier key-encryption key with the current one. */
  async sealPlainKeys(): Promise<void> {
    for (const row of await this.repository.find()) {
      if (!this.secretBox.needsReseal(row.privateKey)) continue;
      const plain = this.secretBox.open(row.privateKey);
      await this.repository.update({ kid: row.kid }, { privateKey: this.secretBox.seal(plain) });
    }
  }
}
