import { AuthError } from '../auth.errors';
import { extractBearerToken } from '../bearer-token.extractor';
import { type DpopHandshake, markDpopProven } from '../dpop/dpop-connection';
import {
  asDpopChallenge,
  assertDpopHandshake,
  boundThumbprintOf,
  dpopError,
  dpopTokenOf,
  refuseAsBearer,
  type ResolvedDpop,
} from '../dpop/dpop-request';
import type { AuthPrincipal } from '../interfaces/auth-principal.interface';
import { disconnectSocket, socketRequestOf } from '../socket-request';
import type { TokenVerifier } from '../token-verifier';

/** Options of `AuthIoAdapter` and `AuthWsAdapter`. */
export interface SocketAuthOptions {
  /**
   * Let connections without a token in; only `@Public()` handlers answer them. A token that is
   * present must still be valid. Default `false`: a connection without a token is refused.
   */
  allowAnonymous?: boolean;
  /**
   * How often an open connection's token is verified again, in ms, so that a token revoked (by
   * the `RevocationChecker`) or whose key was withdrawn ends its connection before `exp`.
   * Default 60 000; `0` turns it off (expiry still disconnects).
   */
  revalidateIntervalMs?: number;
}

const DEFAULT_REVALIDATE_MS = 60_000;

/**
 * What both adapters do at a handshake and while the connection lasts. A `DPoP`-scheme token
 * needs the handshake's proof (RFC 9449, checked as on any HTTP request, the upgrade's `ws:` URL
 * accepted for its `http:` twin); the proven connection then carries the token for its messages.
 * A bound token sent as a bearer is refused, as everywhere.
 */
export class SocketAuthenticator {
  private readonly allowAnonymous: boolean;
  private readonly revalidateIntervalMs: number;

  constructor(
    private readonly verifier: TokenVerifier,
    options: SocketAuthOptions = {},
    /** The module's DPoP settings; absent (no AuthModule options found), bound tokens are refused. */
    private readonly dpop?: ResolvedDpop,
  ) {
    this.allowAnonymous = options.allowAnonymous ?? false;
    this.revalidateIntervalMs = options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_MS;
  }

  /**
   * The principal of a handshake's `Authorization` value, `null` for an allowed anonymous one.
   * Throws the {@link AuthError} that refuses it.
   */
  verify(
    authorization: string | undefined,
    handshake: DpopHandshake,
  ): Promise<AuthPrincipal | null> {
    return this.check(authorization, handshake);
  }

  /** The same decision for an open connection: its DPoP proof was checked when it opened. */
  private async check(
    authorization: string | undefined,
    handshake: DpopHandshake | null,
  ): Promise<AuthPrincipal | null> {
    const dpopToken = dpopTokenOf({ headers: { authorization } });
    if (dpopToken !== null) return this.checkDpop(dpopToken, handshake);
    const token = extractBearerToken({ headers: { authorization } });
    if (token === null) {
      if (this.allowAnonymous) return null;
      throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    }
    const principal = await this.verifier.verify(token);
    const refusal = this.dpop
      ? refuseAsBearer(principal, this.dpop)
      : boundThumbprintOf(principal) !== undefined
        ? new AuthError('ERR_DPOP_BINDING', 'this token is bound to a DPoP key')
        : null;
    if (refusal) throw refusal;
    return principal;
  }

  private async checkDpop(token: string, handshake: DpopHandshake | null): Promise<AuthPrincipal> {
    const dpop = this.dpop;
    if (!dpop) throw new AuthError('ERR_DPOP_BINDING', 'DPoP is not set up for these connections');
    try {
      const principal = await this.verifier.verify(token);
      if (handshake) await assertDpopHandshake(handshake, token, principal, dpop);
      else if (!boundThumbprintOf(principal))
        throw dpopError('ERR_DPOP_BINDING', 'this token is not bound to a DPoP key', dpop);
      return principal;
    } catch (error) {
      throw error instanceof AuthError ? asDpopChallenge(error, dpop) : error;
    }
  }

  /**
   * Keeps `principal` on the connection's request (which disconnects it at `exp`) and, if asked
   * to, verifies its token again every `revalidateIntervalMs`. Call it only once {@link verify}
   * accepted the handshake: a `DPoP` token is recorded as proven for the connection.
   */
  attach(client: object, authorization: string | undefined, principal: AuthPrincipal | null) {
    const request = socketRequestOf(client, authorization);
    if (!principal) return;
    const dpopToken = dpopTokenOf({ headers: { authorization } });
    if (dpopToken !== null) markDpopProven(request, dpopToken);
    request.user = principal;
    if (this.revalidateIntervalMs <= 0) return;
    const timer = setInterval(() => {
      this.check(authorization, null).then(
        (fresh) => (request.user = fresh),
        (error: unknown) => {
          clearInterval(timer);
          if (error instanceof AuthError) disconnectSocket(client, error);
        },
      );
    }, this.revalidateIntervalMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    const events = client as { once?: (event: string, listener: () => void) => unknown };
    events.once?.call(client, 'disconnect', stop);
    events.once?.call(client, 'close', stop);
  }
}
