import { AuthError } from '../auth.errors';
import type { AuthRequest } from '../auth-request';
import type { AuthPrincipal } from '../interfaces/auth-principal.interface';
import { type DpopHandshake, dpopConnectionOf } from './dpop-connection';
import { DpopError } from './dpop-error';
import type { DpopProofVerifier, VerifiedDpopProof } from './dpop-proof.verifier';

/** RFC 9449 §7.1: `DPoP` (any case), one or more spaces, then a token68. */
const DPOP_SCHEME = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** What the resource-server side of DPoP is configured with (see `AuthModuleOptions.dpop`). */
export interface ResolvedDpop {
  verifier: DpopProofVerifier;
  /** Refuse Bearer tokens altogether: every token must be DPoP-bound. */
  required: boolean;
  /** The origin clients address (behind a proxy); null: the request's own. */
  publicOrigin: string | null;
}

/** The HTTP request fields a proof is checked against (Express and Fastify both have them). */
interface HttpRequestLike extends AuthRequest {
  method?: string;
  url?: string;
  originalUrl?: string;
  protocol?: string;
}

/** The token of `Authorization: DPoP <token>`, or null for any other scheme (or none). */
export function dpopTokenOf(request: AuthRequest): string | null {
  const header = request.headers?.authorization;
  if (typeof header !== 'string' || !/^DPoP(\s|$)/i.test(header)) return null;
  const match = DPOP_SCHEME.exec(header);
  if (!match) throw new AuthError('ERR_TOKEN_MALFORMED', 'malformed DPoP credentials');
  return match[1];
}

/** The `cnf.jkt` a token is bound to (RFC 9449 §6.1), if any. */
export function boundThumbprintOf(principal: AuthPrincipal): string | undefined {
  const cnf = principal.claims.cnf as { jkt?: unknown } | undefined;
  if (cnf === undefined) return undefined;
  // A cnf we cannot read binds the token to something we cannot check: never a bearer token.
  return typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? cnf.jkt : '';
}

/** Refuses a bound token sent as a bearer token (RFC 9449 §7.2), or any bearer when DPoP is required. */
export function refuseAsBearer(principal: AuthPrincipal, dpop: ResolvedDpop): AuthError | null {
  const bound = boundThumbprintOf(principal) !== undefined;
  if (!bound && !dpop.required) return null;
  return dpopError(
    'ERR_DPOP_BINDING',
    bound
      ? 'this token is bound to a DPoP key: send it as Authorization: DPoP with a DPoP proof'
      : 'this API accepts DPoP-bound tokens only',
    dpop,
  );
}

/**
 * Checks the request of a `DPoP`-scheme token: the token is bound, and the request's one `DPoP`
 * header is a proof of this method and URL, by the bound key, over this token. On a connection
 * (a WebSocket gateway, a GraphQL subscription) the proof is the one its handshake carried,
 * checked once for the connection (see {@link recordDpopHandshake}). Throws the
 * {@link AuthError} that refuses it.
 */
export async function assertDpopRequest(
  request: AuthRequest,
  token: string,
  principal: AuthPrincipal,
  dpop: ResolvedDpop,
): Promise<DpopOutcome> {
  const jkt = boundKeyOf(principal, dpop);
  const connection = dpopConnectionOf(request);
  if (connection) {
    await connection.prove(token, async (handshake) => {
      await checkProof(handshakeTarget(handshake, dpop), token, jkt, dpop);
    });
    return {};
  }
  const proof = await checkProof(httpTarget(request as HttpRequestLike, dpop), token, jkt, dpop);
  return { nextNonce: dpop.verifier.nextNonce(proof) };
}

/** What an accepted HTTP request's answer should carry. */
export interface DpopOutcome {
  /** A fresher server nonce than the proof's, for a `DPoP-Nonce` header (RFC 9449 §8.2). */
  nextNonce?: string;
}

/**
 * Checks the proof of a connection's handshake now, before the connection opens (what the
 * library's WebSocket adapters do); {@link markDpopProven} then records it for the connection.
 */
export async function assertDpopHandshake(
  handshake: DpopHandshake,
  token: string,
  principal: AuthPrincipal,
  dpop: ResolvedDpop,
): Promise<void> {
  const jkt = boundKeyOf(principal, dpop);
  await checkProof(handshakeTarget(handshake, dpop), token, jkt, dpop);
}

/** The `cnf.jkt` a `DPoP`-scheme token must have; an unbound token is refused. */
function boundKeyOf(principal: AuthPrincipal, dpop: ResolvedDpop): string {
  const jkt = boundThumbprintOf(principal);
  if (!jkt) throw dpopError('ERR_DPOP_BINDING', 'this token is not bound to a DPoP key', dpop);
  return jkt;
}

/** What a proof is checked against: the request it came with, and where it came in that request. */
interface ProofTarget {
  method?: string;
  /** The URL the client addressed; null when the request does not tell. */
  url: string | null;
  /** The proof: the `DPoP` header, or what the client put in its handshake payload. */
  proof: unknown;
  /** The request opened a WebSocket (a `ws:`/`wss:` `htu` stands for its HTTP twin). */
  webSocket: boolean;
}

function httpTarget(request: HttpRequestLike, dpop: ResolvedDpop): ProofTarget {
  const url = requestUrl(request, dpop.publicOrigin);
  return { method: request.method, url, proof: request.headers?.dpop, webSocket: false };
}

function handshakeTarget(handshake: DpopHandshake, dpop: ResolvedDpop): ProofTarget {
  const upgrade: HttpRequestLike = {
    url: handshake.path,
    protocol: handshake.secure ? 'https' : 'http',
    headers: typeof handshake.host === 'string' ? { host: handshake.host } : {},
  };
  const url = requestUrl(upgrade, dpop.publicOrigin);
  return { method: handshake.method, url, proof: handshake.proof, webSocket: true };
}

async function checkProof(
  { method, url, proof, webSocket }: ProofTarget,
  token: string,
  jkt: string,
  dpop: ResolvedDpop,
): Promise<VerifiedDpopProof> {
  if (!method || !url)
    throw dpopError(
      'ERR_DPOP_PROOF_INVALID',
      'DPoP proofs are checked on HTTP requests and the handshakes of connections only',
      dpop,
    );
  if (proof !== undefined && typeof proof !== 'string' && !Array.isArray(proof))
    throw dpopError('ERR_DPOP_PROOF_INVALID', 'the DPoP proof must be a string', dpop);
  try {
    return await dpop.verifier.verify(proof as string | string[] | undefined, {
      method,
      url,
      accessToken: token,
      expectedJkt: jkt,
      webSocket,
    });
  } catch (error) {
    if (!(error instanceof DpopError)) throw error;
    if (error.code === 'use_dpop_nonce')
      throw new AuthError('ERR_DPOP_NONCE_REQUIRED', error.message, [], {
        dpopAlgorithms: dpop.verifier.supportedAlgorithms,
        dpopNonce: dpop.verifier.currentNonce(),
      });
    throw dpopError('ERR_DPOP_PROOF_INVALID', error.message, dpop);
  }
}

/** An error answered with the `DPoP` challenge scheme. */
export function dpopError(
  code: 'ERR_DPOP_BINDING' | 'ERR_DPOP_PROOF_INVALID',
  message: string,
  dpop: ResolvedDpop,
): AuthError {
  return new AuthError(code, message, [], { dpopAlgorithms: dpop.verifier.supportedAlgorithms });
}

/** Refusals of a `DPoP`-scheme request are challenged with the DPoP scheme, whatever the reason. */
export function asDpopChallenge(error: AuthError, dpop: ResolvedDpop): AuthError {
  if (error.dpopAlgorithms !== undefined) return error;
  return new AuthError(error.code, error.message, error.requiredScopes, {
    acrValues: error.acrValues,
    maxAge: error.maxAge,
    dpopAlgorithms: dpop.verifier.supportedAlgorithms,
  });
}

/** The URL the client addressed: the configured public origin (or the request's) and the path. */
function requestUrl(request: HttpRequestLike, publicOrigin: string | null): string | null {
  const path = request.originalUrl ?? request.url;
  if (typeof path !== 'string' || !path.startsWith('/')) return null;
  if (publicOrigin) return `${publicOrigin}${path}`;
  const host = request.headers?.host;
  if (typeof host !== 'string' || host === '') return null;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${host}${path}`;
}
