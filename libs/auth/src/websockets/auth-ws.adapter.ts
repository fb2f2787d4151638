import type { IncomingMessage } from 'node:http';

import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';

import { AUTH_RESOLVED_OPTIONS } from '../auth.constants';
import { describeAuthError } from '../auth-error.response';
import { AuthError } from '../auth.errors';
import type { DpopHandshake } from '../dpop/dpop-connection';
import type { AuthPrincipal } from '../interfaces/auth-principal.interface';
import type { ResolvedAuthOptions } from '../resolved-auth-options';
import { TokenVerifier } from '../token-verifier';
import { type SocketAuthOptions, SocketAuthenticator } from './socket-authenticator';

type VerifyClientDone = (
  result: boolean,
  code?: number,
  message?: string,
  headers?: Record<string, string>,
) => void;

interface VerifyClientInfo {
  req: IncomingMessage;
}

/**
 * `ws` for gateways guarded by `@jwt-token/auth`: the upgrade request's `Authorization` header is
 * verified before the WebSocket opens (never a query string). A refused upgrade gets the HTTP
 * answer the library gives everywhere: 401 with `WWW-Authenticate` and the JSON body. An accepted
 * connection keeps its principal, so message handlers honour `@Roles`/`@Scopes` and
 * `@CurrentUser()`; at the token's `exp` it receives `{ event: 'exception', data }` and is closed
 * with code 4401 and reason `ERR_TOKEN_EXPIRED`, and likewise when a periodic re-verification
 * refuses it. Browsers cannot set headers on a WebSocket: for them use socket.io
 * (`AuthIoAdapter`) or graphql-ws.
 *
 * A DPoP-bound token (RFC 9449) comes as `Authorization: DPoP <token>` with a `DPoP` header: a
 * proof of `GET` and the upgrade's URL (its `http(s):` form, or the `ws(s):` one the client
 * dialled), over the token, by its key. The refusals are the HTTP ones, `DPoP-Nonce` included.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new AuthWsAdapter(app));
 * // client: new WebSocket(url, { headers: { authorization: `Bearer ${accessToken}` } })
 * ```
 */
export class AuthWsAdapter extends WsAdapter {
  private readonly authenticator: SocketAuthenticator;
  private readonly realm: string;
  private readonly verified = new WeakMap<IncomingMessage, AuthPrincipal | null>();

  constructor(app: INestApplicationContext, options: SocketAuthOptions = {}) {
    super(app);
    const resolved = app.get<ResolvedAuthOptions>(AUTH_RESOLVED_OPTIONS, { strict: false });
    this.authenticator = new SocketAuthenticator(
      app.get(TokenVerifier, { strict: false }),
      options,
      resolved.dpop,
    );
    this.realm = resolved.realm;
  }

  override create(port: number, options: Record<string, unknown> = {}): unknown {
    return super.create(port, {
      ...options,
      verifyClient: (info: VerifyClientInfo, done: VerifyClientDone) =>
        this.verifyClient(info, done),
    });
  }

  override bindClientConnect(server: unknown, callback: (...args: unknown[]) => void): void {
    const wsServer = server as {
      on(event: 'connection', listener: (...args: never[]) => void): void;
    };
    wsServer.on('connection', (client: object, request: IncomingMessage) => {
      const principal = this.verified.get(request) ?? null;
      this.authenticator.attach(client, request.headers.authorization, principal);
      callback(client, request);
    });
  }

  private verifyClient({ req }: VerifyClientInfo, done: VerifyClientDone): void {
    this.authenticator.verify(req.headers.authorization, upgradeOf(req)).then(
      (principal) => {
        this.verified.set(req, principal);
        done(true);
      },
      (error: unknown) => {
        if (!(error instanceof AuthError)) return done(false, 503, 'authentication unavailable');
        const { status, body, wwwAuthenticate, dpopNonce } = describeAuthError(error, this.realm);
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (wwwAuthenticate) headers['WWW-Authenticate'] = wwwAuthenticate;
        if (dpopNonce) headers['DPoP-Nonce'] = dpopNonce;
        done(false, status, JSON.stringify(body), headers);
      },
    );
  }
}

/** The upgrade request as the HTTP request its DPoP proof is checked against. */
function upgradeOf(req: IncomingMessage): DpopHandshake {
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '',
    host: req.headers.host,
    secure: (req.socket as { encrypted?: boolean }).encrypted === true,
    proof: req.headers.dpop,
  };
}
