import {
  createHash,
  createPublicKey,
  type JsonWebKey,
  type KeyObject,
  verify as cryptoVerify,
} from 'node:crypto';

import type { JwtAlgorithm } from '../interfaces/jwt-algorithm';
import { algorithmsForKey, JWS_ALGORITHMS } from '../jws-algorithms';

import { DpopError } from './dpop-error';
import type { DpopNonces } from './dpop-nonces';
import { type DpopReplayStore, MemoryDpopReplayStore } from './dpop-replay-store';

/** Asymmetric algorithms a proof may use (RFC 9449 §4.3: never `none` nor a MAC). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;

/** Members of a JWK that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

const MAX_PROOF_LENGTH = 8192;
/** Client keys kept imported (by thumbprint). */
const KEY_CACHE_SIZE = 1000;

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
  /**
   * The request opens a WebSocket: an `htu` of scheme `ws:`/`wss:` (the URL a WebSocket client
   * connects to) stands for the `http:`/`https:` target URI of the upgrade request.
   */
  webSocket?: boolean;
}

/** A proof that passed every check: its key's RFC 7638 thumbprint and its id. */
export interface VerifiedDpopProof {
  jkt: string;
  jti: string;
  iat: number;
  /** The server nonce it carried, when nonces are on. */
  nonce?: string;
}

/** The HTTP scheme of a WebSocket URL's scheme (RFC 6455 §3: `ws` over `http`, `wss` over `https`). */
const HTTP_SCHEME_OF_WEBSOCKET: Readonly<Record<string, string>> = {
  'ws:': 'http:',
  'wss:': 'https:',
};

/**
 * `htu` comparison (RFC 9449 §4.3 step 9): scheme and host case, default ports and dot segments
 * normalised; no query or fragment. With `webSocket`, a `ws:`/`wss:` URL reads as its HTTP twin.
 */
export function normalizeHtu(url: string, webSocket = false): string | null {
  try {
    const parsed = new URL(url);
    const protocol = (webSocket && HTTP_SCHEME_OF_WEBSOCKET[parsed.protocol]) || parsed.protocol;
    if (protocol !== 'https:' && protocol !== 'http:') return null;
    // The default ports agree (ws and http 80, wss and https 443), so `host` needs no change.
    return `${protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/** base64url(SHA-256(token)): the `ath` of a proof sent with `token`. */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3): one compact JWS, `typ: dpop+jwt`, an
 * asymmetric `alg` from the allowlist, a public `jwk` header that verifies the signature, `htm`
 * and `htu` of this request, a fresh `iat`, a `jti` never seen before, `ath` and `cnf.jkt` when a
 * token is presented, and the server's nonce when nonces are on.
 *
 * Hand-written on node:crypto, as the library's access-token verifier is: jose's `jwtVerify`
 * goes through WebCrypto and its thumbprint through an async digest, which measured 150 µs and
 * 65 µs a proof against 60 µs for `crypto.verify` itself (bench row 8a); a proof is checked on
 * every request. The signature parameters and key checks are the access-token verifier's
 * (`JWS_ALGORITHMS`, `algorithmsForKey`); the suites hold the thumbprint to jose's and jwcrypto's.
 */
export class DpopProofVerifier {
  private readonly algorithms: string[];
  private readonly maxAgeSeconds: number;
  private readonly toleranceSeconds: number;
  private readonly replay: DpopReplayStore;
  private readonly now: () => number;
  private readonly keys = new Map<string, KeyObject>();

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

  /**
   * The nonce to hand a client whose accepted proof carried an older one (RFC 9449 §8.2: a
   * `DPoP-Nonce` on a successful answer), so that it moves on before its nonce stops being
   * accepted; `undefined` when nonces are off or the proof's is the current one.
   */
  nextNonce(proof: VerifiedDpopProof): string | undefined {
    const current = this.options.nonces?.current();
    return current !== undefined && proof.nonce !== current ? current : undefined;
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
    const [encodedHeader, encodedPayload, encodedSignature] = proof.split('.');
    const header = parseSegment(encodedHeader, 'header');
    if (header.typ !== 'dpop+jwt') throw invalid('the DPoP proof typ must be dpop+jwt');
    const alg = header.alg;
    if (typeof alg !== 'string' || !this.algorithms.includes(alg))
      throw invalid('the DPoP proof alg is not accepted');
    if (header.crit !== undefined) throw invalid('the DPoP proof has critical extensions');
    const jwk = publicJwkOf(header.jwk);
    const jkt = thumbprintOf(jwk);
    const key = this.keyFor(jkt, jwk);
    if (!algorithmsForKey(key).includes(alg as JwtAlgorithm))
      throw invalid('the DPoP proof alg does not fit its jwk');
    if (
      !signatureValid(
        alg as JwtAlgorithm,
        key,
        `${encodedHeader}.${encodedPayload}`,
        encodedSignature,
      )
    )
      throw invalid('the DPoP proof signature is invalid');
    const payload = parseSegment(encodedPayload, 'payload');
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || jti.length < 8 || jti.length > 256)
      throw invalid('the DPoP proof needs a jti');
    if (typeof htm !== 'string' || htm !== request.method.toUpperCase())
      throw invalid('the DPoP proof is for another HTTP method');
    const expectedHtu = normalizeHtu(request.url);
    if (
      typeof htu !== 'string' ||
      expectedHtu === null ||
      normalizeHtu(htu, request.webSocket) !== expectedHtu
    )
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
    if (request.expectedJkt !== undefined && jkt !== request.expectedJkt)
      throw invalid('the DPoP proof is signed by another key than the token is bound to');
    if (this.options.nonces && (typeof nonce !== 'string' || !this.options.nonces.isValid(nonce)))
      throw new DpopError('use_dpop_nonce', 'the DPoP proof must carry the server-provided nonce');
    // Last: only a proof that passed everything else uses up its jti.
    const expiresAt = (iat + this.maxAgeSeconds + 2 * this.toleranceSeconds) * 1000;
    if (!(await this.replay.firstUse(`${jkt}:${jti}`, expiresAt)))
      throw invalid('the DPoP proof was used before');
    return { jkt, jti, iat, ...(this.options.nonces ? { nonce: nonce as string } : {}) };
  }

  /**
   * The key of a `jwk` header, imported once per thumbprint: a client signs every proof with the
   * same key, and importing it (jose's EmbeddedJWK does so on every call) cost more than the
   * signature check itself. The thumbprint covers every member that defines the key, so a
   * cached key is exactly the one the header names. Bounded: the oldest entry leaves first.
   */
  private keyFor(jkt: string, jwk: JsonWebKey): KeyObject {
    let key = this.keys.get(jkt);
    if (key) {
      this.keys.delete(jkt);
    } else {
      try {
        key = createPublicKey({ key: jwk, format: 'jwk' });
      } catch {
        throw invalid('the DPoP proof jwk is not a usable public key');
      }
      if (this.keys.size >= KEY_CACHE_SIZE)
        this.keys.delete(this.keys.keys().next().value as string);
    }
    this.keys.set(jkt, key);
    return key;
  }
}

/** A header or payload segment: base64url JSON of an object. */
function parseSegment(segment: string, name: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Answered below.
  }
  throw invalid(`the DPoP proof ${name} is not a JSON object`);
}

/** The `jwk` header, refused unless it is a public asymmetric key. */
function publicJwkOf(value: unknown): JsonWebKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid('the DPoP proof needs a jwk header');
  const jwk = value as JsonWebKey;
  if (jwk.kty === 'oct' || PRIVATE_MEMBERS.some((member) => member in jwk))
    throw invalid('the DPoP proof jwk must be a public key');
  return jwk;
}

/** The members RFC 7638 §3.2 hashes, in lexicographic order, per key type. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url), what `cnf.jkt` holds. */
function thumbprintOf(jwk: JsonWebKey): string {
  const members = typeof jwk.kty === 'string' ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members) throw invalid('the DPoP proof jwk has an unsupported key type');
  const canonical: Record<string, unknown> = {};
  for (const member of members) {
    if (typeof jwk[member] !== 'string') throw invalid(`the DPoP proof jwk lacks ${member}`);
    canonical[member] = jwk[member];
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

function signatureValid(
  alg: JwtAlgorithm,
  key: KeyObject,
  input: string,
  signature: string,
): boolean {
  const params = JWS_ALGORITHMS[alg];
  const bytes = Buffer.from(signature, 'base64url');
  if (params.signatureBytes !== undefined && bytes.length !== params.signatureBytes) return false;
  try {
    return cryptoVerify(
      params.digest,
      Buffer.from(input),
      {
        key,
        ...(params.dsaEncoding ? { dsaEncoding: params.dsaEncoding } : {}),
        ...(params.padding === undefined ? {} : { padding: params.padding }),
        ...(params.saltLength === undefined ? {} : { saltLength: params.saltLength }),
      },
      bytes,
    );
  } catch {
    return false;
  }
}

function invalid(message: string): DpopError {
  return new DpopError('invalid_dpop_proof', message);
}
