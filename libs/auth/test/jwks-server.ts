import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Responder = (request: IncomingMessage, response: ServerResponse) => void;

/** A JWKS endpoint on 127.0.0.1 that counts requests and answers however a test tells it to. */
export class JwksServer {
  requests = 0;
  url = '';

  private constructor(
    private readonly server: Server,
    public respond: Responder,
  ) {}

  static async start(respond: Responder = (_, res) => res.writeHead(404).end()): Promise<JwksServer> {
    let instance!: JwksServer;
    const server = createServer((request, response) => {
      instance.requests += 1;
      instance.respond(request, response);
    });
    instance = new JwksServer(server, respond);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    instance.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
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
