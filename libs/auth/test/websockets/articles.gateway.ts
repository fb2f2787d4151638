import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type WsResponse,
} from '@nestjs/websockets';

import {
  type AuthPrincipal,
  CurrentUser,
  Public,
  RequireAuthLevel,
  Roles,
  Scopes,
} from '../../src';

/**
 * Every guard and decorator of the library on one gateway. Handlers answer with a `WsResponse`
 * (an event of the same name), which socket.io and `ws` both send back.
 */
@WebSocketGateway()
export class ArticlesGateway {
  @Public()
  @SubscribeMessage('ping')
  ping(@CurrentUser('sub') sub: string | undefined): WsResponse<string> {
    return { event: 'ping', data: sub ?? 'anonymous' };
  }

  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AuthPrincipal): WsResponse<string> {
    return { event: 'whoami', data: user.sub };
  }

  @Roles('editor')
  @SubscribeMessage('publish')
  publish(
    @MessageBody() title: string,
    @CurrentUser('sub') sub: string,
  ): WsResponse<{ title: string; by: string }> {
    return { event: 'publish', data: { title, by: sub } };
  }

  @RequireAuthLevel({ amr: ['mfa'], maxAge: 300 })
  @SubscribeMessage('purge')
  purge(): WsResponse<string> {
    return { event: 'purge', data: 'purged' };
  }

  @Scopes('articles:write')
  @SubscribeMessage('draft')
  draft(@MessageBody() title: string): WsResponse<string> {
    return { event: 'draft', data: title };
  }
}
