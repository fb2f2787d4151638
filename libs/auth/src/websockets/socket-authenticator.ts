import { AuthError } from '../auth.errors';
import { extractBearerToken } from '../bearer-token.extractor';
import { disconnectSocket, socketRequestOf } from '../socket-request';
import type { TokenVerifier } from '../token-verifier';
import type { AuthPrincipal } from '../interfaces/auth-principal.interface';
import { boundThumbprintOf } from '../dpop/dpop-request';

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

/** What both adapters do at a handshake and while the connection lasts. */
export class SocketAuthenticator {
  private readonly allowAnonymous: boolean;
  private readonly revalidateIntervalMs: number;

  constructor(
    private readonly verifier: TokenVerifier,
    options: SocketAuthOptions = {},
  ) {
    this.allowAnonymous = options.allowAnonymous ?? false;
    this.revalidateIntervalMs = options.revalidateIntervalMs ?? DEFAULT_REVALIDATE_MS;
  }

  /**
   * The principal of a handshake's `Authorization` value, `null` for an allowed anonymous one.
   * Throws the {@link AuthError} that refuses it.
   */
  async verify(authorization: string | undefined): Promise<AuthPrincipal | null> {
    const token = extractBearerToken({ headers: { authorization } });
    if (token === null) {
      if (this.allowAnonymous) return null;
      throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    }
    const principal = await this.verifier.verify(token);
    // A DPoP-bound token needs a proof per request, which a socket cannot give: refused (RFC 9449 §7.2).
    if (boundThumbprintOf(principal) !== undefined)
      throw new AuthError(
        'ERR_DPOP_BINDING',
        'this token is bound to a DPoP key: it is accepted on HTTP requests with a DPoP proof only',
      );
    return principal;
  }

  /**
   * Keeps `principal` on the connection's request (which disconnects it at `exp`) and, if asked
   * to, verifies its token again every `revalidateIntervalMs`.
   */
  attach(client: object, authorization: string | undefined, principal: AuthPrincipal | null) {
    const request = socketRequestOf(client, authorization);
    if (!principal) return;
    request.user = principal;
    if (this.revalidateIntervalMs <= 0) return;
    const timer = setInterval(() => {
      this.verify(authorization).then(
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
