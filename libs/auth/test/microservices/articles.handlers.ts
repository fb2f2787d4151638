import { randomUUID } from 'node:crypto';

import { Controller, Get } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';

import {
  type AuthPrincipal,
  CurrentUser,
  Public,
  RequireAuthLevel,
  Roles,
  Scopes,
} from '../../src';

/** Brokers are shared between test runs: every pattern of this run carries its own prefix. */
export const RUN = `auth-e2e-${randomUUID().slice(0, 8)}`;
export const pattern = (name: string): string => `${RUN}.${name}`;

/** What the `viewed` event handler saw: one entry per event that reached it. */
export const viewedEvents: { sub: string; id: string }[] = [];

@Controller()
export class ArticlesHandlers {
  @Public()
  @MessagePattern(pattern('health'))
  health(@CurrentUser() user: AuthPrincipal | undefined): string {
    return user ? 'authenticated' : 'anonymous';
  }

  @MessagePattern(pattern('whoami'))
  async whoami(
    @CurrentUser() user: AuthPrincipal,
    @Payload() payload: { delayMs?: number },
  ): Promise<{ sub: string; roles: readonly string[] }> {
    // Held open so that two users' messages overlap: the principal read after the wait must
    // still be this message's.
    if (payload.delayMs) await new Promise((resolve) => setTimeout(resolve, payload.delayMs));
    const after = user;
    return { sub: after.sub, roles: after.roles };
  }

  @Roles('editor')
  @MessagePattern(pattern('create'))
  create(@CurrentUser('sub') sub: string, @Payload() payload: { title: string }) {
    return { title: payload.title, author: sub };
  }

  @Scopes('articles:delete')
  @MessagePattern(pattern('delete'))
  remove(@Payload() payload: { id: string }) {
    return { deleted: payload.id };
  }

  @RequireAuthLevel({ acr: ['2'], maxAge: 300 })
  @MessagePattern(pattern('purge'))
  purge(): { purged: true } {
    return { purged: true };
  }

  @EventPattern<string>(pattern('viewed'))
  viewed(@Payload() payload: { id: string }, @CurrentUser('sub') sub: string): void {
    viewedEvents.push({ sub, id: payload.id });
  }
}

/** An HTTP route beside the handlers, for the hybrid app. */
@Controller('articles')
export class ArticlesHttpController {
  @Get('me')
  me(@CurrentUser('sub') sub: string): { sub: string } {
    return { sub };
  }
}
