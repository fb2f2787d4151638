import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  type JWK,
  jwtVerify,
} from 'jose';

import { DpopError } from './dpop-error';
import type { DpopNonces } from './dpop-nonces';
import { type DpopReplayStore, MemoryDpopReplayStore } from './dpop-replay-store';

/** Asymmetric algorithms a proof may use (RFC 9449 §4.3: never `none` nor a MAC). */
export const DPOP_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'EdDSA',
] as const;

/** Members of a JWK that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const MAX_PROOF_LENGTH = 8192;

export interface DpopVerifierOptions {
  /** Default: every algorithm of {@link DPOP_ALGORITHMS}. */
  algorithms?: readonly string[];
  /** How old (by `iat`) a proof may be, in seconds. Default 60. */
  maxAgeSeconds?: number;
  /** Leeway for clocks that disagree, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** Where seen `jti`s are kept; default: in this process's memory. */
  replayStore?: DpopReplayStore;
  /** When set, every proof must carry one of these nonces (`use_dpop_nonce` otherwise). */
  nonces?: DpopNonces;
  now?: () => number;
}

/** What the request the proof came with says about it. */
export interface DpopRequest {
  method: string;
  /** The request's URL as the client addressed it (query and fragment are ignored). */
  url: string;
  /** With an access token: the proof must carry its hash (`ath`). */
  accessToken?: string;
  /** With a bound token: its `cnf.jkt`, which the proof's key must match. */
  expectedJkt?: string;
}

/** A proof that passed every check: its key's RFC 7638 thumbprint and its id. */
export interface VerifiedDpopProof {
  jkt: string;
  jti: string;
  iat: number;
}

/** `htu` comparison (RFC 9449 §4.3 step 9): scheme and host case, default ports and dot segments normalised; no query or fragment. */
export function normalizeHtu(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** base64url(SHA-256(token)): the `ath` of a proof sent with `token`. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) with jose: one compact JWS, `typ: dpop+jwt`, an
 * asymmetric `alg` from the allowlist, a public `jwk` header that verifies the signature, `htm`
 * and `htu` of this request, a fresh `iat`, a `jti` never seen before, `ath` and `cnf.jkt` when a
 * token is presented, and the server's nonce when nonces are on.
 */
export class DpopProofVerifier {
  private readonly algorithms: string[];
  private readonly maxAgeSeconds: number;
  private readonly toleranceSeconds: number;
  private readonly replay: DpopReplayStore;
  private readonly now: () => number;

  constructor(private readonly options: DpopVerifierOptions = {}) {
    this.algorithms = [...(options.algorithms ?? DPOP_ALGORITHMS)];
    for (const alg of this.algorithms)
      if (!(DPOP_ALGORITHMS as readonly string[]).includes(alg))
        throw new Error(`DPoP algorithm ${alg} is not an asymmetric signature algorithm`);
    this.maxAgeSeconds = options.maxAgeSeconds ?? 60;
    this.toleranceSeconds = options.clockToleranceSeconds ?? 5;
    this.now = options.now ?? Date.now;
    this.replay = options.replayStore ?? new MemoryDpopReplayStore(this.now);
  }

  /** The nonce a proof must carry now, when nonces are on (for `DPoP-Nonce`). */
  currentNonce(): string | undefined {
    return this.options.nonces?.current();
  }

  /** The algorithms for `DPoP algs=…` challenges and `dpop_signing_alg_values_supported`. */
  get supportedAlgorithms(): readonly string[] {
    return this.algorithms;
  }

  async verify(
    proof: string | string[] | undefined,
    request: DpopRequest,
  ): Promise<VerifiedDpopProof> {
    if (Array.isArray(proof)) throw invalid('send exactly one DPoP header');
    if (!proof) throw invalid('a DPoP proof is required');
    if (proof.length > MAX_PROOF_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(proof))
      throw invalid('the DPoP proof is not a compact JWS');
    const jwk = this.publicJwkOf(proof);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: this.algorithms,
        // iat is checked below against the proof window; jose must not apply exp/nbf defaults.
        currentDate: new Date(this.now()),
      }));
    } catch {
      throw invalid('the DPoP proof signature, type or algorithm is not acceptable');
    }
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256)
      throw invalid('the DPoP proof needs a jti');
    if (typeof htm !== 'string' || htm !== request.method.toUpperCase())
      throw invalid('the DPoP proof is for another HTTP method');
    const expectedHtu = normalizeHtu(request.url);
    if (typeof htu !== 'string' || expectedHtu === null || normalizeHtu(htu) !== expectedHtu)
      throw invalid('the DPoP proof is for another URL');
    if (typeof iat !== 'number' || !Number.isFinite(iat))
      throw invalid('the DPoP proof needs an iat');
    const nowSeconds = this.now() / 1000;
    if (iat > nowSeconds + this.toleranceSeconds)
      throw invalid('the DPoP proof is from the future');
    if (iat < nowSeconds - this.maxAgeSeconds - this.toleranceSeconds)
      throw invalid('the DPoP proof is too old');
    if (request.accessToken !== undefined && ath !== accessTokenHash(request.accessToken))
      throw invalid("the DPoP proof does not carry this access token's hash (ath)");
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    if (request.expectedJkt !== undefined && jkt !== request.expectedJkt)
      throw invalid('the DPoP proof is signed by another key than the token is bound to');
    if (this.options.nonces && (typeof nonce !== 'string' || !this.options.nonces.isValid(nonce)))
      throw new DpopError('use_dpop_nonce', 'the DPoP proof must carry the server-provided nonce');
    // Last: only a proof that passed everything else uses up its jti.
    const expiresAt = (iat + this.maxAgeSeconds + 2 * this.toleranceSeconds) * 1000;
    if (!(await this.replay.firstUse(`${jkt}:${jti}`, expiresAt)))
      throw invalid('the DPoP proof was used before');
    return { jkt, jti, iat };
  }

  /** The `jwk` header, refused unless it is a public asymmetric key. */
  private publicJwkOf(proof: string): JWK {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(proof);
    } catch {
      throw invalid('the DPoP proof header is not JSON');
    }
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk))
      throw invalid('the DPoP proof needs a jwk header');
    if (jwk.kty === 'oct' || PRIVATE_MEMBERS.some((member) => member in jwk))
      throw invalid('the DPoP proof jwk must be a public key');
    return jwk;
  }
}

function invalid(message: string): DpopError {
  return new DpopError('invalid_dpop_proof', message);
}
