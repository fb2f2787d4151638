import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

import {
  DpopError,
  DpopNonces,
  DpopProofVerifier,
  type DpopReplayStore,
  MemoryDpopReplayStore,
  type VerifiedDpopProof,
} from '@jwt-token/auth';
import { ApiError, OAuthError, RedisDpopReplayStore } from '@jwt-token/service-kit';

import { CLOCK, type Clock } from '../common/clock';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { ServerSecrets } from '../crypto/server-secrets';

/** How a refusal is worded: RFC 6749 `{error, error_description}` at `/oauth/*`, the contract's shape elsewhere. */
export type DpopErrorStyle = 'oauth' | 'api';

/** What every DPoP check of this instance shares: the `jti` memory and the nonces. */
export interface DpopShared {
  replayStore: DpopReplayStore;
  nonces?: DpopNonces;
}

/** The request fields a token-endpoint proof is checked against. */
export interface ProofRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * auth-api's side of DPoP (RFC 9449) where tokens are issued: `/oauth/token`, login and refresh.
 * One proof verifier (the library's) with the instance's shared parts: used `jti`s in Redis when
 * REDIS_URL is set (a proof replayed at another instance is refused), else in memory; server
 * nonces (DPOP_NONCE_REQUIRED) keyed by a secret every instance reads from the database, so any
 * instance accepts a nonce another one issued, with nothing stored per nonce. The same shared
 * parts go to the library's guard, which checks proofs at auth-api's own protected routes.
 */
@Injectable()
export class IssuerDpop implements OnApplicationShutdown {
  private readonly logger = new Logger(IssuerDpop.name);
  private shared?: Promise<DpopShared>;
  private verifier?: Promise<DpopProofVerifier>;
  private redis?: Redis;

  constructor(
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The replay store and nonces (made once). */
  sharedParts(): Promise<DpopShared> {
    this.shared ??= this.makeShared();
    return this.shared;
  }

  /** The algorithms a proof may use (metadata's `dpop_signing_alg_values_supported`). */
  async algorithms(): Promise<readonly string[]> {
    return (await this.proofVerifier()).supportedAlgorithms;
  }

  /**
   * The RFC 7638 thumbprint of the key that signed this request's `DPoP` proof, or undefined when
   * the request has none, with a fresher server nonce when the proof carried an older one (RFC
   * 9449 §8.2: sent on the answer, so the client moves on before its nonce stops working). A
   * proof that is there must be valid: a bad one is refused, never ignored (a client that meant
   * to bind its tokens must not get bearer tokens instead).
   */
  async proofOf(
    request: ProofRequest,
    style: DpopErrorStyle,
  ): Promise<{ jkt: string; nextNonce?: string } | undefined> {
    if (request.headers.dpop === undefined) return undefined;
    try {
      const proof = await this.check(request);
      const nextNonce = (await this.proofVerifier()).nextNonce(proof);
      return { jkt: proof.jkt, ...(nextNonce ? { nextNonce } : {}) };
    } catch (error) {
      if (error instanceof DpopError) throw this.refusal(error, style, await this.nonce());
      throw error;
    }
  }

  /**
   * Checks the proof of a request that presents `accessToken`, bound to `jkt` (RFC 9449 §7): by
   * that key, over that token (`ath`). Throws the library's {@link DpopError} to refuse it.
   */
  async assertBound(request: ProofRequest, accessToken: string, jkt: string): Promise<void> {
    await this.check(request, { accessToken, expectedJkt: jkt });
  }

  /** The nonce a proof must carry now, when DPOP_NONCE_REQUIRED is on. */
  async nonce(): Promise<string | undefined> {
    return (await this.proofVerifier()).currentNonce();
  }

  private async check(
    request: ProofRequest,
    bound: { accessToken?: string; expectedJkt?: string } = {},
  ): Promise<VerifiedDpopProof> {
    const verifier = await this.proofVerifier();
    try {
      return await verifier.verify(request.headers.dpop, {
        method: request.method,
        url: `${this.config.issuer}${request.url}`,
        ...bound,
      });
    } catch (error) {
      if (error instanceof DpopError) throw error;
      // The replay store is away (Redis down): a proof that cannot be checked is refused.
      this.logger.warn(`DPoP proof not checked: ${(error as Error).message}`);
      throw new ApiError(
        503,
        'unavailable',
        'DPoP proofs cannot be checked right now',
        {},
        {
          'Retry-After': '1',
        },
      );
    }
  }

  /** RFC 9449 §5.2: a client registered with `dpop_bound_access_tokens` sent no proof. */
  proofRequired(style: DpopErrorStyle): Error {
    return this.refusal(
      new DpopError('invalid_dpop_proof', 'this client must send a DPoP proof'),
      style,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private refusal(error: DpopError, style: DpopErrorStyle, nonce?: string): Error {
    // §8: a nonce refusal carries the nonce to retry with.
    const headers: Record<string, string> =
      error.code === 'use_dpop_nonce' && nonce ? { 'DPoP-Nonce': nonce } : {};
    return style === 'oauth'
      ? new OAuthError(error.code, error.message, 400, headers)
      : new ApiError(400, error.code, error.message, {}, headers);
  }

  private proofVerifier(): Promise<DpopProofVerifier> {
    this.verifier ??= this.sharedParts().then(
      ({ replayStore, nonces }) =>
        new DpopProofVerifier({ replayStore, nonces, now: () => this.clock.now() }),
    );
    return this.verifier;
  }

  private async makeShared(): Promise<DpopShared> {
    const nonces = this.config.dpopNonceRequired
      ? new DpopNonces(await this.secrets.getOrCreate('dpop_nonce'), 300, () => this.clock.now())
      : undefined;
    if (!this.config.redisUrl)
      return { replayStore: new MemoryDpopReplayStore(() => this.clock.now()), nonces };
    // No offline queue: with Redis down a proof is refused at once (503) rather than held.
    this.redis = new Redis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    this.redis.on('error', () => undefined);
    return {
      replayStore: new RedisDpopReplayStore(this.redis, 'dpop:jti:auth-api:', () =>
        this.clock.now(),
      ),
      nonces,
    };
  }
}
