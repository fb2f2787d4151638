import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '@jwt-token/auth';

import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { ConsoleCsrf } from '../console/console-csrf';
import { SessionsService } from '../sessions/sessions.service';
import { BrowserSessions } from './browser-session';
import { errorPage, logoutConfirmPage, signedOutPage } from './hosted-pages';
import { sendPage } from './hosted-page-headers';
import { IdTokens } from './id-tokens';

type Params = Record<string, unknown> | undefined;

function param(params: Params, name: string, max = 8192): string | undefined {
  const value = params?.[name];
  return typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;
}

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): ends the browser session and the
 * client sessions authorized from it, then returns to a registered `post_logout_redirect_uri`
 * (with `state`). With a valid `id_token_hint` the client is known and the logout immediate;
 * without one, a cross-site page could log the user out, so the user confirms on a form first.
 */
@Public()
@ApiExcludeController()
@Controller('oauth/logout')
export class LogoutController {
  constructor(
    @Inject(IdTokens) private readonly idTokens: IdTokens,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(BrowserSessions) private readonly browser: BrowserSessions,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(ConsoleCsrf) private readonly csrf: ConsoleCsrf,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Get()
  get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.logout(request, reply, request.query as Params, false);
  }

  @Post()
  post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.logout(request, reply, request.body as Params, true);
  }

  private async logout(
    request: FastifyRequest,
    reply: FastifyReply,
    params: Params,
    posted: boolean,
  ): Promise<FastifyReply> {
    const hintToken = param(params, 'id_token_hint');
    const hint = hintToken ? await this.idTokens.verifyHint(hintToken) : null;
    if (hintToken && !hint) return sendPage(reply, 400, errorPage('id_token_hint is not valid.'));
    const clientId = param(params, 'client_id', 64) ?? hint?.aud[0];
    if (hint && clientId && !hint.aud.includes(clientId))
      return sendPage(reply, 400, errorPage('client_id does not match id_token_hint.'));
    const target = param(params, 'post_logout_redirect_uri', 2000);
    if (target) {
      const client = clientId ? await this.clients.findById(clientId) : null;
      if (!client || !client.postLogoutRedirectUris.includes(target))
        return sendPage(reply, 400, errorPage('post_logout_redirect_uri is not registered.'));
    }
    const session = await this.browser.fromCookie(request.headers.cookie);
    if (!hint && session) {
      const token = await this.browser.formToken(session.id);
      const confirmed =
        posted &&
        param(params, 'confirm', 3) === 'yes' &&
        param(params, 'csrf_token', 256) === token;
      if (!confirmed) {
        const carried: Record<string, string> = {};
        for (const name of ['client_id', 'post_logout_redirect_uri', 'state']) {
          const value = param(params, name, 2000);
          if (value) carried[name] = value;
        }
        return sendPage(reply, 200, logoutConfirmPage(carried, token), target);
      }
      this.csrf.assertBrowserSaysSameOrigin(request);
    }
    // The hint names the browser session even when the cookie was not sent (a cross-site POST).
    const sessionIds = new Set([session?.id, hint?.sid].filter((id): id is string => !!id));
    for (const sessionId of sessionIds) {
      const owner = await this.sessions.findActive(sessionId);
      if (!owner || (hint && owner.userId !== hint.sub && owner.id !== session?.id)) continue;
      if ((await this.sessions.revokeWithChildren(sessionId, 'oidc_logout')) > 0)
        await this.audit.record({
          type: 'session.oidc_logout',
          subjectId: owner.userId,
          details: { sessionId, clientId: clientId ?? null },
        });
    }
    reply.header('Set-Cookie', this.browser.clearCookie());
    if (!target) return sendPage(reply, 200, signedOutPage());
    const url = new URL(target);
    const state = param(params, 'state', 2048);
    if (state) url.searchParams.set('state', state);
    return reply.header('Cache-Control', 'no-store').redirect(url.href, 303);
  }
}
