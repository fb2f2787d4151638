import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * An identity provider's public endpoints on 127.0.0.1 (discovery documents, JWK Sets,
 * certificate maps), each route answering however a test says; counts requests per path.
 */
export class IdpServer {
  origin = '';
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, Route>();
  private readonly server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    const route = this.routes.get(path);
    if (route) route(request, response);
    else response.writeHead(404).end();
  });

  static async start(): Promise<IdpServer> {
    const instance = new IdpServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    instance.origin = `http://127.0.0.1:${(instance.server.address() as AddressInfo).port}`;
    return instance;
  }

  /** Serves `body()` as JSON at `path` (evaluated per request), with extra headers. */
  json(path: string, body: () => unknown, headers: Record<string, string> = {}): this {
    this.routes.set(path, (_, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body())),
    );
    return this;
  }

  route(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  hitsOf(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
