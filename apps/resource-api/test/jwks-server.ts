import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { InMemoryKeyStore } from '@jwt-token/auth/testing';

/** A stand-in for auth-api's `/.well-known/jwks.json`, on 127.0.0.1, that can stop and restart. */
export class JwksServer {
  /** How many times the key set was fetched. */
  requests = 0;
  private server: Server | null = null;
  private boundPort = 0;

  constructor(private readonly keys: InMemoryKeyStore) {}

  /** The JWKS URL; stable across stop/start once a port was chosen. */
  get url(): string {
    return `http://127.0.0.1:${this.boundPort}/.well-known/jwks.json`;
  }

  /** Listens on `port` (default: the previous one, or any free port the first time). */
  async start(port = this.boundPort): Promise<void> {
    const server = createServer((request, response) => {
      this.requests += 1;
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      response.end(JSON.stringify(this.keys.toJwks()));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Picks a free port without serving on it yet: for an app that boots before its issuer. */
  async reservePort(): Promise<void> {
    await this.start(0);
    await this.stop();
  }
}
