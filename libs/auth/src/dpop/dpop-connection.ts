import { AuthError } from '../auth.errors';
import type { AuthRequest } from '../auth-request';

/**
 * The HTTP request that opened a connection: a WebSocket upgrade, or socket.io's handshake. Its
 * messages carry no request of their own, so the DPoP proof of the connection is the one this
 * request carried.
 */
export interface DpopHandshake {
  /** The request's method: `GET` for an upgrade. */
  method: string;
  /** The request target (path and query), as the HTTP request line had it. */
  path: string;
  /** The request's `Host` header. */
  host: unknown;
  /** Whether it came over TLS. */
  secure: boolean;
  /** The proof: its `DPoP` header, or the one the client put in its handshake payload. */
  proof: unknown;
}

/**
 * A connection's proof, checked once: possession of the key is proven when the connection opens
 * and holds for the connection, as TLS does for the bytes on it (a proof's `jti` is single use,
 * so it could not be checked again anyway). The check is kept, so every later message of the
 * connection meets the same answer, refusal included.
 */
export class DpopConnection {
  /** Before the first check, the handshake to check; after it, that check for its token. */
  private state: { handshake: DpopHandshake } | { token: string; check: Promise<void> };

  private constructor(state: DpopConnection['state']) {
    this.state = state;
  }

  /** A connection whose proof is checked with its first guarded operation. */
  static opened(handshake: DpopHandshake): DpopConnection {
    return new DpopConnection({ handshake });
  }

  /** A connection whose proof was checked before it opened. */
  static proven(token: string): DpopConnection {
    return new DpopConnection({ token, check: Promise.resolve() });
  }

  prove(token: string, check: (handshake: DpopHandshake) => Promise<void>): Promise<void> {
    if ('handshake' in this.state) this.state = { token, check: check(this.state.handshake) };
    return this.state.token === token
      ? this.state.check
      : Promise.reject(
          new AuthError(
            'ERR_DPOP_PROOF_INVALID',
            "this connection's DPoP proof was for another token",
          ),
        );
  }
}

const connections = new WeakMap<AuthRequest, DpopConnection>();

/** The connection `request` stands for, if it is one whose handshake was recorded. */
export function dpopConnectionOf(request: AuthRequest): DpopConnection | undefined {
  return connections.get(request);
}

/**
 * Records the handshake of the connection `request` stands for: its proof is checked with the
 * connection's first guarded operation, and that answer holds for the connection.
 */
export function recordDpopHandshake(request: AuthRequest, handshake: DpopHandshake): void {
  if (!connections.has(request)) connections.set(request, DpopConnection.opened(handshake));
}

/** Records that the proof of `request`'s connection was checked for `token` at its handshake. */
export function markDpopProven(request: AuthRequest, token: string): void {
  connections.set(request, DpopConnection.proven(token));
}
