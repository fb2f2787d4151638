import { type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type WsResponse,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';

import { CurrentUser, Roles } from '@jwt-token/auth';

import { ArticleFeed } from '../articles/article-feed';

/** The room of the sockets that asked for the live feed. */
const FOLLOWERS = 'article-followers';

/**
 * The live article feed over socket.io (`/socket.io/`), guarded like the rest of the API: the
 * connection is authenticated at the handshake by the library's `AuthIoAdapter` (installed in
 * app.factory.ts), and `follow` needs the role `user` (editors and admins too). Followers receive
 * an `articleCreated` event for every new article, however it was created (REST or GraphQL); at
 * the token's expiry the library disconnects the socket.
 */
@WebSocketGateway({ maxHttpBufferSize: 16 * 1024 })
export class ArticlesGateway implements OnModuleInit, OnModuleDestroy {
  @WebSocketServer() private readonly server!: Server;
  private stopListening?: () => void;

  constructor(private readonly feed: ArticleFeed) {}

  onModuleInit(): void {
    this.stopListening = this.feed.listen((article) =>
      this.server?.to(FOLLOWERS).emit('articleCreated', article),
    );
  }

  onModuleDestroy(): void {
    this.stopListening?.();
  }

  @Roles('user')
  @SubscribeMessage('follow')
  async follow(
    @ConnectedSocket() socket: Socket,
    @CurrentUser('sub') sub: string,
  ): Promise<WsResponse<{ following: true; sub: string }>> {
    await socket.join(FOLLOWERS);
    return { event: 'following', data: { following: true, sub } };
  }

  @SubscribeMessage('unfollow')
  async unfollow(@ConnectedSocket() socket: Socket): Promise<WsResponse<{ following: false }>> {
    await socket.leave(FOLLOWERS);
    return { event: 'following', data: { following: false } };
  }
}
