import type { AddressInfo } from 'node:net';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { InMemoryKeyStore, TestTokenFactory } from '@jwt-token/auth/testing';

import { createResourceApi } from '../src/app.factory';
import { readResourceApiConfig } from '../src/config/resource-api.config';
import { JwksServer } from './jwks-server';

export const ISSUER = 'http://auth.test:3000';
export const AUDIENCE = 'resource-api';

/** The real resource-api on Fastify, trusting an {@link InMemoryKeyStore} published by a {@link JwksServer}. */
export interface ResourceApiHarness {
  app: NestFastifyApplication;
  keys: InMemoryKeyStore;
  jwks: JwksServer;
  /** Mints tokens the app accepts: right issuer, audience and key. */
  tokens: TestTokenFactory;
  http: () => ReturnType<typeof request>;
  /** `http://127.0.0.1:<port>` once listening (`listen: true`). */
  url: () => string;
  close: () => Promise<void>;
}

/**
 * Builds the app exactly as `main.ts` does (createResourceApi), from a configuration given as is
 * rather than read from the environment, minus the listening socket. With `jwksRunning: false`
 * the issuer is not up when the app boots.
 */
export async function createHarness(
  options: {
    jwksRunning?: boolean;
    listen?: boolean;
    env?: Record<string, string>;
    /** Trust this issuer's keys instead of new ones (several instances of one deployment). */
    keys?: InMemoryKeyStore;
  } = {},
): Promise<ResourceApiHarness> {
  const keys = options.keys ?? new InMemoryKeyStore('ES256');
  const jwks = new JwksServer(keys);
  if (options.jwksRunning === false) await jwks.reservePort();
  else await jwks.start();
  const config = readResourceApiConfig({
    // Plain JSON lines at "fatal": silent, and no pino-pretty worker thread left behind.
    LOG_FORMAT: 'json',
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_URI: jwks.url,
    LOG_LEVEL: 'fatal',
    ...options.env,
  });
  const app = await createResourceApi({ config });
  // Listening (on a free port) only for the tests that need a socket: WebSockets.
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    keys,
    jwks,
    tokens: new TestTokenFactory(keys, ISSUER, AUDIENCE),
    http: () => request(app.getHttpServer()),
    url: () => {
      const address = app.getHttpServer().address() as AddressInfo | null;
      if (!address) throw new Error('the harness was built without listen: true');
      return `http://127.0.0.1:${address.port}`;
    },
    close: async () => {
      await app.close();
      await jwks.stop();
    },
  };
}
