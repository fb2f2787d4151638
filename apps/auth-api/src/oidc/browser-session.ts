import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { readCookie } from '../console/console-cookies';
import { ServerSecrets } from '../crypto/server-secrets';
import type { SessionEntity } from '../database/entities';
import { SessionsService } from '../sessions/sessions.service';

/** The hosted pages' browser session: a row of the sessions table, named by an HMAC'd cookie. */
export const BROWSER_SESSION_COOKIE = '__Secure-oidc_session';
/** The login form's double-submit CSRF token (before any session exists). */
export const LOGIN_CSRF_COOKIE = '__Secure-oidc_csrf';
/** The endpoints that read the cookies: authorize (and its form posts) and logout. */
export const OIDC_COOKIE_PATH = '/oauth';

const SESSION_ID_LENGTH = 36;

/**
 * The cookie is `<session id><HMAC of it>`: without the server secret nobody can name a session
 * (a database reader included), and it is checked against the sessions table on every use, so a
 * revoked or expired session (logout, password change, "sign out everywhere") ends here too.
 *
 * It is `SameSite=Lax`, not Strict like the console's: the authorization request is a top-level
 * navigation from the client's site, which must carry it. It never authorizes a state change by
 * itself: the consent and logout forms carry a CSRF token bound to the session.
 */
@Injectable()
export class BrowserSessions {
  private key: Promise<Buffer> | null = null;

  constructor(
    @Inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
  ) {}

  /** The active first-party session the cookie names, or null. */
  async fromCookie(cookieHeader: string | string[] | undefined): Promise<SessionEntity | null> {
    const value = readCookie(cookieHeader, BROWSER_SESSION_COOKIE);
    if (!value || value.length <= SESSION_ID_LENGTH) return null;
    const sessionId = value.slice(0, SESSION_ID_LENGTH);
    const expected = Buffer.from(await this.mac(sessionId));
    const given = Buffer.from(value.slice(SESSION_ID_LENGTH));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const session = await this.sessions.findActive(sessionId);
    return session && session.clientId === null ? session : null;
  }

  /** The `Set-Cookie` value naming `session`, for as long as the session lasts. */
  async cookieFor(session: SessionEntity, now: number): Promise<string> {
    const maxAge = Math.floor((session.expiresAt - now) / 1000);
    return `${BROWSER_SESSION_COOKIE}=${session.id}${await this.mac(session.id)}; Path=${OIDC_COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; Secure; SameSite=Lax`;
  }

  clearCookie(): string {
    return `${BROWSER_SESSION_COOKIE}=; Path=${OIDC_COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;
  }

  /** The CSRF token of forms posted within `sessionId` (consent, logout confirmation). */
  async formToken(sessionId: string): Promise<string> {
    return this.mac(`form:${sessionId}`);
  }

  private async mac(value: string): Promise<string> {
    this.key ??= this.secrets.getOrCreate('oidc_session_hmac');
    return createHmac('sha256', await this.key)
      .update(`${this.config.issuer}|${value}`)
      .digest('base64url');
  }
}
