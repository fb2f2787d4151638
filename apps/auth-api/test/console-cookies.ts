import type { Response } from 'supertest';

import type { TestAuthApi } from './harness';

/** The origin a browser on the console would send (the harness's AUTH_ISSUER). */
export const CONSOLE_ORIGIN = 'http://auth.test';
export const REFRESH_COOKIE = '__Secure-console_rt';
export const CSRF_COOKIE = '__Secure-console_csrf';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names as sent (`Path`, `HttpOnly`…), in order. */
  attributes: string[];
  raw: string;
}

export function setCookies(res: Response): SetCookie[] {
  const header = res.headers['set-cookie'] as unknown as string[] | string | undefined;
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return list.map((raw) => {
    const [pair, ...attributes] = raw.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes, raw };
  });
}

export function setCookie(res: Response, name: string): SetCookie | undefined {
  return setCookies(res).find((cookie) => cookie.name === name);
}

/**
 * A browser's cookie jar for the console, reduced to what the tests need: the two console
 * cookies, updated from every response like a browser would.
 */
export class ConsoleBrowser {
  refresh?: string;
  csrf?: string;

  constructor(private readonly api: TestAuthApi) {}

  /** Loads the page, which hands out the sign-in CSRF token. */
  async open(): Promise<Response> {
    const res = await this.api
      .http()
      .get('/console')
      .set(this.cookieHeader('/console'))
      .expect(200);
    this.absorb(res);
    return res;
  }

  cookieHeader(path: string): Record<string, string> {
    const cookies: string[] = [];
    if (this.refresh && path.startsWith('/console/session'))
      cookies.push(`${REFRESH_COOKIE}=${this.refresh}`);
    if (this.csrf && path.startsWith('/console')) cookies.push(`${CSRF_COOKIE}=${this.csrf}`);
    return cookies.length ? { Cookie: cookies.join('; ') } : {};
  }

  /** The headers the console's scripts send: same-origin fetch, the CSRF token echoed. */
  headers(
    path: string,
    overrides: Record<string, string | undefined> = {},
  ): Record<string, string> {
    const headers: Record<string, string | undefined> = {
      Origin: CONSOLE_ORIGIN,
      'Sec-Fetch-Site': 'same-origin',
      'X-CSRF-Token': this.csrf,
      ...this.cookieHeader(path),
      ...overrides,
    };
    return Object.fromEntries(
      Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  }

  post(path: string, body?: object, overrides: Record<string, string | undefined> = {}) {
    const req = this.api.http().post(path).set(this.headers(path, overrides));
    return body === undefined ? req : req.send(body);
  }

  absorb(res: Response): void {
    for (const cookie of setCookies(res)) {
      const deleted = cookie.attributes.includes('Max-Age=0');
      if (cookie.name === REFRESH_COOKIE) this.refresh = deleted ? undefined : cookie.value;
      if (cookie.name === CSRF_COOKIE) this.csrf = deleted ? undefined : cookie.value;
    }
  }

  async login(email: string, password: string): Promise<Response> {
    const res = await this.post('/console/session', { email, password });
    this.absorb(res);
    return res;
  }

  async refreshSession(overrides: Record<string, string | undefined> = {}): Promise<Response> {
    const res = await this.post('/console/session/refresh', undefined, overrides);
    this.absorb(res);
    return res;
  }

  async logout(overrides: Record<string, string | undefined> = {}): Promise<Response> {
    const res = await this.post('/console/session/logout', undefined, overrides);
    this.absorb(res);
    return res;
  }
}
