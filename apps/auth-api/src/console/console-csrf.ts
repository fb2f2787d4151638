import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { ApiError } from '@jwt-token/service-kit';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { ServerSecrets } from '../crypto/server-secrets';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './console-cookies';

/** The parts of a request the CSRF checks read. */
export interface ConsoleRequest {
  headers: Record<string, string | string[] | undefined>;
}

function csrfFailed(message: string): ApiError {
  return new ApiError(403, 'csrf_failed', message);
}

function header(request: ConsoleRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * CSRF defence of the console's cookie endpoints, in layers:
 * 1. the browser's own word: `Sec-Fetch-Site`, when sent, must be `same-origin`, and `Origin`,
 *    when sent, must be this server (its `Host`, or the issuer URL's origin);
 * 2. a double-submit token: the `X-CSRF-Token` header must equal the CSRF cookie. A cross-site
 *    page can neither read the cookie nor send a custom header without a CORS preflight, which
 *    auth-api never approves;
 * 3. once signed in, the token is an HMAC of the session id under a server secret, so a cookie
 *    planted by a sibling subdomain cannot match the session the refresh cookie names.
 */
@Injectable()
export class ConsoleCsrf {
  private key: Promise<Buffer> | null = null;
  private readonly issuerOrigin: string;

  constructor(
    @Inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @Inject(AUTH_API_CONFIG) config: AuthApiConfig,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  /** Layers 1 and 2: every console session endpoint. */
  assertSameOriginRequest(request: ConsoleRequest): void {
    this.assertBrowserSaysSameOrigin(request);
    const sent = header(request, CSRF_HEADER);
    const cookie = readCookie(request.headers.cookie, CSRF_COOKIE);
    if (!sent || !cookie || !sameString(sent, cookie)) {
      throw csrfFailed(
        'missing or mismatched CSRF token (X-CSRF-Token must echo the console CSRF cookie)',
      );
    }
  }

  /**
   * Layer 1 alone, for the hosted OpenID Connect forms (plain HTML forms cannot send a header;
   * they carry their token in a field instead).
   */
  assertBrowserSaysSameOrigin(request: ConsoleRequest): void {
    const site = header(request, 'sec-fetch-site');
    if (site !== undefined && site !== 'same-origin')
      throw csrfFailed('cross-site request refused');
    const origin = header(request, 'origin');
    if (origin !== undefined && !this.isOwnOrigin(origin, header(request, 'host'))) {
      throw csrfFailed('cross-origin request refused');
    }
  }

  /** Layer 3: the token must be the one issued for this session. */
  async assertBoundTo(request: ConsoleRequest, sessionId: string): Promise<void> {
    const sent = header(request, CSRF_HEADER) ?? '';
    if (!sameString(sent, await this.tokenFor(sessionId)))
      throw csrfFailed('CSRF token does not belong to this session');
  }

  /**
   * The CSRF token of a signed-in console session. The `s-` prefix (`p-` before sign-in) only
   * tells the page whether there is a session worth resuming; the server trusts the HMAC.
   */
  async tokenFor(sessionId: string): Promise<string> {
    this.key ??= this.secrets.getOrCreate('console_csrf_hmac');
    return `s-${createHmac('sha256', await this.key)
      .update(`console-csrf:${sessionId}`)
      .digest('base64url')}`;
  }

  /** A token for the sign-in form, before any session exists. */
  preSessionToken(): string {
    return `p-${randomBytes(32).toString('base64url')}`;
  }

  private isOwnOrigin(origin: string, host: string | undefined): boolean {
    if (origin === this.issuerOrigin) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    const canonical = `${parsed.protocol}//${parsed.host}`;
    return (
      canonical === origin &&
      (parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
      host !== undefined &&
      parsed.host === host.toLowerCase()
    );
  }
}

/** Runs {@link ConsoleCsrf.assertSameOriginRequest} before validation, throttling or the handler. */
@Injectable()
export class ConsoleCsrfGuard implements CanActivate {
  constructor(@Inject(ConsoleCsrf) private readonly csrf: ConsoleCsrf) {}

  canActivate(context: ExecutionContext): boolean {
    this.csrf.assertSameOriginRequest(context.switchToHttp().getRequest<ConsoleRequest>());
    return true;
  }
}
