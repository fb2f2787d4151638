import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { ApiError } from '@jwt-token/service-kit';

import { AuthService } from '../auth/auth.service';
import { CLOCK, type Clock } from '../common/clock';
import { readCookie } from '../console/console-cookies';
import { ConsoleCsrf } from '../console/console-csrf';
import type { SessionEntity } from '../database/entities';
import type { MfaMethod } from '../mfa/mfa-challenges';
import { MfaSignIn } from '../mfa/mfa-sign-in.service';
import { PasskeySignIn } from '../passkeys/passkey-sign-in.service';
import type { ClientContext } from '../sessions/sessions.service';
import type { AuthorizationRequest } from './authorization-request';
import { AuthorizeFlow, type AuthorizeOutcome } from './authorize-flow';
import { AuthorizePageError, AuthorizeRedirectError } from './authorize-errors';
import { BrowserSessions, LOGIN_CSRF_COOKIE, OIDC_COOKIE_PATH } from './browser-session';
import { ConsentsService } from './consents.service';
import { consentPage, errorPage, loginPage, mfaPage } from './hosted-pages';
import { sendPage } from './hosted-page-headers';

type Form = Record<string, unknown> | undefined;

function field(body: Form, name: string, max = 1024): string {
  const value = body?.[name];
  return typeof value === 'string' && value.length <= max ? value : '';
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length > 0 && left.length === right.length && timingSafeEqual(left, right);
}

/** A passkey's answer, posted by hosted-passkey.js as JSON: an object, or null. */
function credentialField(body: Form): Record<string, unknown> | null {
  const text = field(body, 'credential', 32_768);
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const MFA_METHODS: readonly MfaMethod[] = ['totp', 'recovery_code', 'passkey'];

/** The methods the second-step form says it offered; only which forms to show again hangs on it. */
function methodsField(body: Form): MfaMethod[] {
  const listed = field(body, 'mfa_methods', 64).split(' ');
  const methods = MFA_METHODS.filter((method) => listed.includes(method));
  return methods.length > 0 ? methods : ['totp', 'recovery_code'];
}

const PASSKEY_REFUSED = 'That passkey was not accepted. Try again, or sign in another way.';

const MFA_LOCKED =
  'Too many wrong codes: the second factor is locked for a while. Try again later.';

function clientContext(request: FastifyRequest): ClientContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}

/** What the login page says for each refusal of the password check. */
function loginProblem(error: ApiError): string {
  if (error.code === 'account_locked')
    return 'Too many failed sign-ins: this account is locked for a while. Try again later.';
  return 'The email or password is incorrect.';
}

/** The work of {@link AuthorizeController}: pages, cookies and redirects around {@link AuthorizeFlow}. */
@Injectable()
export class AuthorizeHandler {
  constructor(
    @Inject(AuthorizeFlow) private readonly flow: AuthorizeFlow,
    @Inject(BrowserSessions) private readonly browser: BrowserSessions,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(ConsentsService) private readonly consents: ConsentsService,
    @Inject(ConsoleCsrf) private readonly csrf: ConsoleCsrf,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(MfaSignIn) private readonly mfaSignIn: MfaSignIn,
    @Inject(PasskeySignIn) private readonly passkeys: PasskeySignIn,
  ) {}

  authorize(request: FastifyRequest, reply: FastifyReply, raw: Form): Promise<FastifyReply> {
    return this.guarded(reply, raw, async (parsed) => {
      const session = await this.browser.fromCookie(request.headers.cookie);
      return this.answer(reply, parsed, await this.flow.decide(parsed, session, this.clock.now()));
    });
  }

  /** The login form: CSRF, then the same password check as `/auth/login`, then the flow. */
  login(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = request.body as Form;
    return this.guarded(reply, body, async (parsed) => {
      if (!this.signInFormIsOurs(request, body))
        return this.showLogin(reply, parsed, 'Your sign-in form expired. Please try again.', 403);
      const email = field(body, 'email', 320).trim();
      const password = field(body, 'password', 1024);
      if (!email || !password)
        return this.showLogin(reply, parsed, 'Enter your email and password.', 400, email);
      let session: SessionEntity;
      try {
        const outcome = await this.auth.authenticate(email, password, clientContext(request));
        if (outcome.kind === 'second_factor')
          return this.showMfa(reply, parsed, outcome.challenge.mfaToken, outcome.challenge.methods);
        session = outcome.grant.session;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === 'account_locked') reply.headers(error.headers);
        return this.showLogin(reply, parsed, loginProblem(error), error.getStatus(), email);
      }
      return this.signedIn(reply, parsed, session);
    });
  }

  /** The second step's form: the challenge from the password step and a code. */
  mfa(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = request.body as Form;
    return this.guarded(reply, body, async (parsed) => {
      if (!this.signInFormIsOurs(request, body))
        return this.showLogin(reply, parsed, 'Your sign-in form expired. Please try again.', 403);
      const mfaToken = field(body, 'mfa_token', 256);
      const methods = methodsField(body);
      const credential = credentialField(body);
      const code = field(body, 'code', 32).replace(/\s/g, '');
      if (!code && !credential)
        return this.showMfa(reply, parsed, mfaToken, methods, 'Enter the code.', 400);
      // Six digits are an authenticator code; anything else is tried as a recovery code.
      const proof = /^\d{6}$/.test(code)
        ? { method: 'totp' as const, code }
        : { method: 'recovery_code' as const, code };
      let session: SessionEntity;
      try {
        const signedIn = credential
          ? await this.passkeys.completeSecondFactor(mfaToken, credential, clientContext(request))
          : await this.mfaSignIn.completeWithCode(mfaToken, proof, clientContext(request));
        session = signedIn.grant.session;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === 'invalid_mfa_code') {
          const problem = credential ? PASSKEY_REFUSED : 'That code is not right.';
          return this.showMfa(reply, parsed, mfaToken, methods, problem, 401);
        }
        if (error.code === 'validation_failed')
          return this.showMfa(reply, parsed, mfaToken, methods, PASSKEY_REFUSED, 400);
        if (error.code === 'second_factor_locked') {
          reply.headers(error.headers);
          return this.showMfa(reply, parsed, mfaToken, methods, MFA_LOCKED, 429);
        }
        const problem =
          error.code === 'invalid_mfa_token'
            ? 'Your sign-in expired. Please sign in again.'
            : loginProblem(error);
        return this.showLogin(reply, parsed, problem, error.getStatus());
      }
      return this.signedIn(reply, parsed, session);
    });
  }

  /** The login page's passkey form: a passwordless sign-in, then the flow. */
  passkey(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = request.body as Form;
    return this.guarded(reply, body, async (parsed) => {
      if (!this.signInFormIsOurs(request, body))
        return this.showLogin(reply, parsed, 'Your sign-in form expired. Please try again.', 403);
      const credential = credentialField(body);
      if (!credential) return this.showLogin(reply, parsed, PASSKEY_REFUSED, 400);
      let session: SessionEntity;
      try {
        session = (await this.passkeys.signIn(credential, clientContext(request))).grant.session;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const problem =
          error.code === 'invalid_passkey' || error.code === 'validation_failed'
            ? PASSKEY_REFUSED
            : loginProblem(error);
        return this.showLogin(reply, parsed, problem, error.getStatus());
      }
      return this.signedIn(reply, parsed, session);
    });
  }

  /** A sign-in form (password or code) posted from our page: same origin, and its CSRF cookie. */
  private signInFormIsOurs(request: FastifyRequest, body: Form): boolean {
    this.csrf.assertBrowserSaysSameOrigin(request);
    const cookie = readCookie(request.headers.cookie, LOGIN_CSRF_COOKIE) ?? '';
    return same(field(body, 'csrf_token', 256), cookie);
  }

  private async signedIn(
    reply: FastifyReply,
    parsed: AuthorizationRequest,
    session: SessionEntity,
  ): Promise<FastifyReply> {
    const now = this.clock.now();
    reply.header('Set-Cookie', await this.browser.cookieFor(session, now));
    return this.answer(reply, parsed, await this.flow.decide(parsed, session, now, true));
  }

  /** Allow / Deny: only within the session the consent page was shown to (its CSRF token). */
  consent(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const body = request.body as Form;
    return this.guarded(reply, body, async (parsed) => {
      this.csrf.assertBrowserSaysSameOrigin(request);
      const session = await this.browser.fromCookie(request.headers.cookie);
      if (!session) return this.showLogin(reply, parsed, 'Please sign in again.', 401);
      if (!same(field(body, 'csrf_token', 256), await this.browser.formToken(session.id)))
        throw new ApiError(403, 'csrf_failed', 'the consent form does not belong to this session');
      const decision = field(body, 'decision', 10);
      if (decision !== 'allow') {
        const location = this.flow.errorLocation(parsed, 'access_denied', 'the user denied access');
        return this.redirect(reply, location);
      }
      await this.consents.grant(session.userId, parsed.client.clientId, parsed.scopes);
      return this.redirect(reply, await this.flow.approve(parsed, session));
    });
  }

  /** Parses the request and turns its errors into an error page or an error redirect. */
  private async guarded(
    reply: FastifyReply,
    raw: Form,
    run: (parsed: AuthorizationRequest) => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    let parsed: AuthorizationRequest | undefined;
    try {
      parsed = await this.flow.parse(raw);
      return await run(parsed);
    } catch (error) {
      if (error instanceof AuthorizePageError)
        return sendPage(reply, 400, errorPage(error.description));
      if (error instanceof AuthorizeRedirectError) {
        // parse() throws redirect errors only once the client and redirect URI are known good.
        const target = parsed ?? (await this.flow.redirectTarget(raw));
        return this.redirect(reply, this.flow.errorLocation(target, error.code, error.description));
      }
      if (error instanceof ApiError && error.code === 'csrf_failed')
        return sendPage(
          reply,
          403,
          errorPage('This form was not sent from auth-api. Go back and try again.'),
        );
      throw error;
    }
  }

  private async answer(
    reply: FastifyReply,
    request: AuthorizationRequest,
    outcome: AuthorizeOutcome,
  ): Promise<FastifyReply> {
    if (outcome.kind === 'redirect') return this.redirect(reply, outcome.location);
    if (outcome.kind === 'login') return this.showLogin(reply, request);
    const csrf = await this.browser.formToken(outcome.session.id);
    const html = consentPage({
      params: request.params,
      clientName: request.client.name,
      scopes: request.scopes,
      csrf,
      email: outcome.user.email,
    });
    return sendPage(reply, 200, html, request.redirectUri);
  }

  private showMfa(
    reply: FastifyReply,
    request: AuthorizationRequest,
    mfaToken: string,
    methods: readonly MfaMethod[],
    error?: string,
    status = 200,
  ): FastifyReply {
    const csrf = this.loginCsrf(reply);
    const html = mfaPage({
      params: request.params,
      clientName: request.client.name,
      csrf,
      mfaToken,
      methods,
      error,
    });
    return sendPage(reply, status, html, request.redirectUri);
  }

  /** A fresh CSRF token for the sign-in forms, in a cookie and in the form. */
  private loginCsrf(reply: FastifyReply): string {
    const csrf = randomBytes(32).toString('base64url');
    // Appended: a successful sign-in elsewhere in this reply may have set the session cookie.
    reply.header(
      'Set-Cookie',
      `${LOGIN_CSRF_COOKIE}=${csrf}; Path=${OIDC_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`,
    );
    return csrf;
  }

  private showLogin(
    reply: FastifyReply,
    request: AuthorizationRequest,
    error?: string,
    status = 200,
    email?: string,
  ): FastifyReply {
    const csrf = this.loginCsrf(reply);
    const html = loginPage({
      params: request.params,
      clientName: request.client.name,
      csrf,
      email: email ?? request.loginHint,
      error,
    });
    return sendPage(reply, status, html, request.redirectUri);
  }

  private redirect(reply: FastifyReply, location: string): FastifyReply {
    return reply.header('Cache-Control', 'no-store').redirect(location, 303);
  }
}
