import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';

import { AUTH_RESOLVED_OPTIONS } from '../auth.constants';
import { describeAuthErrorForSocket } from '../auth-error.response';
import { AuthError } from '../auth.errors';
import type { DpopHandshake } from '../dpop/dpop-connection';
import type { ResolvedAuthOptions } from '../resolved-auth-options';
import { handshakeAuthorization, type IoSocket } from '../socket-request';
import { TokenVerifier } from '../token-verifier';
import { type SocketAuthOptions, SocketAuthenticator } from './socket-authenticator';

type GatewayOptions = ServerOptions & { namespace?: string; server?: Server };

/**
 * socket.io for gateways guarded by `@jwt-token/auth`: every connection is authenticated at the
 * handshake, before any gateway sees it. The token is the client's `auth: { token }` (or
 * `auth: { authorization: 'Bearer …' }`, or an `Authorization` header), never the query string. A
 * refused client gets `connect_error` with the reason in `err.message` and
 * `err.data = { status, code, error, message }` (`code` is the library's `ERR_…`). An accepted
 * connection keeps its principal, so message handlers honour `@Roles`/`@Scopes` and
 * `@CurrentUser()`; it is disconnected at the token's `exp` (an `exception` event with
 * `ERR_TOKEN_EXPIRED` first), and when a periodic re-verification refuses it (revoked).
 *
 * A DPoP-bound token (RFC 9449) comes as `auth: { token, dpop: proof }` (or `authorization:
 * 'DPoP …'` with the proof in `auth.dpop` or a `DPoP` header): a proof of `GET` and the
 * handshake URL without its query (`https://api.example/socket.io/`, or its `wss:` twin), over
 * the token, by its key. A refusal for want of a server nonce carries it in `err.data.dpop_nonce`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new AuthIoAdapter(app));
 * // client: io(url, { auth: { token: accessToken } })
 * ```
 */
export class AuthIoAdapter extends IoAdapter {
  private readonly authenticator: SocketAuthenticator;
  private readonly guarded = new WeakSet<object>();

  constructor(app: INestApplicationContext, options: SocketAuthOptions = {}) {
    super(app);
    this.authenticator = new SocketAuthenticator(
      app.get(TokenVerifier, { strict: false }),
      options,
      app.get<ResolvedAuthOptions>(AUTH_RESOLVED_OPTIONS, { strict: false }).dpop,
    );
  }

  override create(port: number, options?: GatewayOptions): Server | Namespace {
    const server = super.create(port, options);
    // Gateways sharing a server and namespace share its middleware: install it once.
    if (!this.guarded.has(server)) {
      this.guarded.add(server);
      server.use((socket, next) => this.authenticate(socket, next));
    }
    return server;
  }

  private authenticate(socket: Socket, next: (error?: Error) => void): void {
    const authorization = handshakeAuthorization(socket as unknown as IoSocket);
    this.authenticator.verify(authorization, handshakeOf(socket)).then(
      (principal) => {
        this.authenticator.attach(socket, authorization, principal);
        next();
      },
      (error: unknown) => next(connectError(error)),
    );
  }
}

/** socket.io's handshake as the HTTP request its DPoP proof is checked against. */
function handshakeOf(socket: Socket): DpopHandshake {
  const { auth, headers, url, secure } = socket.handshake;
  return {
    // engine.io opens every connection with a GET (the polling handshake or the upgrade).
    method: 'GET',
    path: url,
    host: headers.host,
    secure,
    proof: (auth as Record<string, unknown> | undefined)?.dpop ?? headers.dpop,
  };
}

/**
 * What the client's `connect_error` carries: never a stack or a token. Anything but a refusal
 * (keys that cannot be fetched, say) is only "authentication unavailable": the client may retry.
 */
function connectError(error: unknown): Error {
  if (!(error instanceof AuthError)) return new Error('authentication unavailable');
  return Object.assign(new Error(error.message), { data: describeAuthErrorForSocket(error) });
}
