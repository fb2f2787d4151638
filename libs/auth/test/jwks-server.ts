import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Responder = (request: IncomingMessage, response: ServerResponse) => void;

/** A JWKS endpoint on 127.0.0.1 that counts requests and answers however a test tells it to. */
export class JwksServer {
  requests = 0;
  url = '';
  respond: Responder = (_, res) => res.writeHead(404).end();

  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private readonly server: Server = createServer((request, response) => {
    this.requests += 1;
    this.waiters = this.waiters.filter((w) => (w.count <= this.requests ? void w.resolve() : true));
    this.respond(request, response);
  });

  /** Resolves once the server has received `count` requests in all (for work started in the background). */
  waitForRequests(count: number): Promise<void> {
    if (this.requests >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  static async start(): Promise<JwksServer> {
    const instance = new JwksServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    instance.url = `http://127.0.0.1:${(instance.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return instance;
  }

  /** Answers 200 with `body()` as JSON, evaluated per request so that key changes show. */
  serveJson(body: () => unknown): void {
    this.respond = (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body()));
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
