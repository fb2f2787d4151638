import { Inject, Injectable } from '@nestjs/common';

import { ClientsService } from '../clients/clients.service';
import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import type { SessionEntity, UserEntity } from '../database/entities';
import { acrOf, authMethodsOf } from '../sessions/auth-methods';
import { UsersService } from '../users/users.service';
import {
  type AuthorizationRequest,
  parseAuthorizationRequest,
  resolveClientPart,
} from './authorization-request';
import { AuthorizationCodes } from './authorization-codes.service';
import {
  AuthorizePageError,
  type AuthorizeErrorCode,
  AuthorizeRedirectError,
} from './authorize-errors';
import { ConsentsService } from './consents.service';
import { IdTokens } from './id-tokens';
import { PushedRequests } from './pushed-requests.service';

type Raw = Record<string, unknown> | undefined | null;

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
    @Inject(PushedRequests) private readonly pushed: PushedRequests,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /** Validates a request; throws an `AuthorizePageError` or an `AuthorizeRedirectError`. */
  async parse(raw: Raw): Promise<AuthorizationRequest> {
    const pushed = await this.pushedParams(raw);
    if (pushed) {
      const { client, redirectUri } = await resolveClientPart(pushed.params, (id) =>
        this.clients.findById(id),
      );
      return {
        ...parseAuthorizationRequest(pushed.params, client, redirectUri),
        // The hosted pages carry the reference, not the parameters it stands for.
        params: { client_id: client.clientId, request_uri: pushed.requestUri },
        requestUri: pushed.requestUri,
      };
    }
    const { client, redirectUri } = await resolveClientPart(raw, (id) => this.clients.findById(id));
    return parseAuthorizationRequest(raw, client, redirectUri);
  }

  /**
   * RFC 9126 §4: with `request_uri`, the pushed parameters are the request (any others sent
   * alongside are ignored); an unknown, expired or used one, or another client's, is an error page.
   */
  private async pushedParams(
    raw: Raw,
  ): Promise<{ requestUri: string; params: Record<string, string> } | null> {
    const requestUri = raw?.request_uri;
    if (requestUri === undefined) return null;
    const clientId = raw?.client_id;
    if (typeof requestUri !== 'string' || typeof clientId !== 'string')
      throw new AuthorizePageError('request_uri and client_id must appear once');
    const params = await this.pushed.resolve(requestUri, clientId);
    if (!params) throw new AuthorizePageError('request_uri is invalid, expired or already used');
    return { requestUri, params: { ...params, client_id: clientId } };
  }

  /** The redirect URI and state of a request whose client part is valid (for its errors). */
  async redirectTarget(raw: Raw): Promise<{ redirectUri: string; state?: string }> {
    const source = (await this.pushedParams(raw))?.params ?? raw;
    const { redirectUri } = await resolveClientPart(source, (id) => this.clients.findById(id));
    const state = source?.state;
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
    if (request.requestUri) await this.pushed.consume(request.requestUri);
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
    // Step-up (RFC 9470 §4): a client asking for acr "2" from a one-factor session gets the
    // sign-in again, which asks for the second factor when the account has one.
    if (request.acrValues.includes('2') && acrOf(authMethodsOf(session)) !== '2') return false;
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
