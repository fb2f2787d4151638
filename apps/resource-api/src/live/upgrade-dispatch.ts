import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/** Where socket.io (engine.io) takes WebSocket upgrades: its default path. */
export const SOCKET_IO_PATH = '/socket.io/';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Lets socket.io and Mercurius's subscriptions share one server. Mercurius serves graphql-ws
 * through `@fastify/websocket`, whose `upgrade` listener routes every upgrade request through
 * Fastify and answers those no route takes (a 404 written onto the socket), while engine.io's
 * own listener upgrades the same request to socket.io: the client then reads a broken handshake.
 * Hand-written because neither package has an option for it: `@fastify/websocket`'s listener
 * is wrapped so it never sees socket.io's path, which engine.io's listener alone serves.
 */
@Injectable()
export class UpgradeDispatch implements OnApplicationBootstrap {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    for (const listener of server.listeners('upgrade') as UpgradeListener[]) {
      // @fastify/websocket's listener, by the name its source gives it.
      if (listener.name !== 'onUpgrade') continue;
      server.removeListener('upgrade', listener);
      server.prependListener('upgrade', (request, socket, head) => {
        if (!request.url?.startsWith(SOCKET_IO_PATH)) listener(request, socket, head);
      });
    }
  }
}
