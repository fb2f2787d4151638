import { Inject, Injectable } from '@nestjs/common';

import { ClientsService } from '../clients/clients.service';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import type { SessionEntity, UserEntity } from '../database/entities';
import { UsersService } from '../users/users.service';
import {
  type AuthorizationRequest,
  parseAuthorizationRequest,
  resolveClientPart,
} from './authorization-request';
import { AuthorizationCodes } from './authorization-codes.service';
import { type AuthorizeErrorCode, AuthorizeRedirectError } from './authorize-errors';
import { ConsentsService } from './consents.service';
import { IdTokens } from './id-tokens';

/** What the authorization endpoint does next. */
export type AuthorizeOutcome =
  | { kind: 'login' }
  | { kind: 'consent'; session: SessionEntity; user: UserEntity }
  | { kind: 'redirect'; location: string };

/**
 * The decisions of the authorization endpoint (OpenID Connect Core §3.1.2): is the browser's
 * session good enough for this request (`prompt`, `max_age`, `id_token_hint`), has the user
 * consented, and then the code, always answered with the RFC 9207 `iss`.
 */
@Injectable()
export class AuthorizeFlow {
  constructor(
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(ConsentsService) private readonly consents: ConsentsService,
    @Inject(AuthorizationCodes) private readonly codes: AuthorizationCodes,
    @Inject(IdTokens) private readonly idTokens: IdTokens,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /** Validates a request; throws an `AuthorizePageError` or an `AuthorizeRedirectError`. */
  async parse(raw: Record<string, unknown> | undefined | null): Promise<AuthorizationRequest> {
    const { client, redirectUri } = await resolveClientPart(raw, (id) => this.clients.findById(id));
    return parseAuthorizationRequest(raw, client, redirectUri);
  }

  /** The redirect URI and state of a request whose client part is valid (for its errors). */
  async redirectTarget(
    raw: Record<string, unknown> | undefined | null,
  ): Promise<{ redirectUri: string; state?: string }> {
    const { redirectUri } = await resolveClientPart(raw, (id) => this.clients.findById(id));
    const state = raw?.state;
    return { redirectUri, state: typeof state === 'string' ? state : undefined };
  }

  /**
   * `fresh`: the user has just entered their password (the login form), which satisfies
   * `prompt=login` and any `max_age`.
   */
  async decide(
    request: AuthorizationRequest,
    session: SessionEntity | null,
    now: number,
    fresh = false,
  ): Promise<AuthorizeOutcome> {
    const user = session ? await this.users.findById(session.userId) : null;
    if (
      !session ||
      !user ||
      user.disabled ||
      !(await this.satisfies(request, session, now, fresh))
    ) {
      if (request.prompt.has('none'))
        throw new AuthorizeRedirectError('login_required', 'the user must sign in');
      return { kind: 'login' };
    }
    const consented =
      (request.client.firstParty && !request.prompt.has('consent')) ||
      (!request.prompt.has('consent') &&
        (await this.consents.covers(user.id, request.client.clientId, request.scopes)));
    if (!consented) {
      if (request.prompt.has('none'))
        throw new AuthorizeRedirectError('consent_required', 'the user must allow this client');
      return { kind: 'consent', session, user };
    }
    return { kind: 'redirect', location: await this.approve(request, session) };
  }

  /** Issues the code and answers where to send the browser. */
  async approve(request: AuthorizationRequest, session: SessionEntity): Promise<string> {
    const code = await this.codes.issue(request, session);
    return this.location(request.redirectUri, { code, state: request.state });
  }

  /** Where an error goes once the redirect URI is known good. */
  errorLocation(
    request: { redirectUri: string; state?: string },
    code: AuthorizeErrorCode,
    description: string,
  ): string {
    return this.location(request.redirectUri, {
      error: code,
      error_description: description,
      state: request.state,
    });
  }

  private async satisfies(
    request: AuthorizationRequest,
    session: SessionEntity,
    now: number,
    fresh: boolean,
  ): Promise<boolean> {
    if (request.idTokenHint !== undefined) {
      const hint = await this.idTokens.verifyHint(request.idTokenHint);
      if (!hint) throw new AuthorizeRedirectError('invalid_request', 'id_token_hint is not valid');
      if (hint.sub !== session.userId) return false;
    }
    if (fresh) return true;
    if (request.prompt.has('login')) return false;
    const authTime = session.authTime ?? session.createdAt;
    return request.maxAge === undefined || now - authTime <= request.maxAge * 1000;
  }

  private location(redirectUri: string, params: Record<string, string | undefined>): string {
    const url = new URL(redirectUri);
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value);
    // RFC 9207: tells the client which server answered (mix-up defence).
    url.searchParams.set('iss', this.config.issuer);
    return url.href;
  }
}
