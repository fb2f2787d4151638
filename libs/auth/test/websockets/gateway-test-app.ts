import type { AddressInfo } from 'node:net';

import type { INestApplication, WebSocketAdapter } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import type { AuthPrincipal, RevocationChecker } from '../../src';
import { AuthTestingModule, type AuthTestingOptions, TestTokenFactory } from '../../src/testing';
import { AuthIoAdapter, type SocketAuthOptions } from '../../src/socket.io';
import { AuthWsAdapter } from '../../src/ws';
import { ArticlesGateway } from './articles.gateway';

export type SocketTransport = 'socket.io' | 'ws';

export interface GatewayTestApp {
  app: INestApplication;
  tokens: TestTokenFactory;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Subjects whose tokens the revocation checker refuses from now on. */
  revoked: Set<string>;
}

/**
 * The articles gateway behind AuthTestingModule on Express, served by the library's adapter for
 * `transport` (or by `adapter(app)` when given: a plain one, to test without the library's).
 */
export async function createGatewayTestApp(
  transport: SocketTransport,
  options: SocketAuthOptions & {
    adapter?: (app: INestApplication) => WebSocketAdapter;
    /** Module options beside the revocation checker (DPoP settings, say). */
    auth?: AuthTestingOptions;
  } = {},
): Promise<GatewayTestApp> {
  const revoked = new Set<string>();
  const revocationChecker: RevocationChecker = {
    isRevoked: (principal: AuthPrincipal) => revoked.has(principal.sub),
  };
  const moduleRef = await Test.createTestingModule({
    imports: [AuthTestingModule.forRoot({ ...options.auth, revocationChecker })],
    providers: [ArticlesGateway],
  }).compile();
  const app = moduleRef.createNestApplication();
  const { adapter, auth: _auth, ...socketOptions } = options;
  app.useWebSocketAdapter(
    adapter
      ? adapter(app)
      : transport === 'ws'
        ? new AuthWsAdapter(app, socketOptions)
        : new AuthIoAdapter(app, socketOptions),
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, tokens: moduleRef.get(TestTokenFactory), url: `http://127.0.0.1:${port}`, revoked };
}
