/** The console's refresh token: HttpOnly, so page scripts never see it; sent only to the session endpoints. */
export const REFRESH_COOKIE = '__Secure-console_rt';
/** Path of {@link REFRESH_COOKIE}: the console's session endpoints (login, refresh, logout) and nothing else. */
export const REFRESH_COOKIE_PATH = '/console/session';
/** The double-submit CSRF token: readable by the console's scripts, which echo it in {@link CSRF_HEADER}. */
export const CSRF_COOKIE = '__Secure-console_csrf';
export const CSRF_COOKIE_PATH = '/console';
export const CSRF_HEADER = 'x-csrf-token';

/** Longest cookie value the console reads; anything longer is ignored. */
const MAX_VALUE_LENGTH = 256;

/** The value of cookie `name` in a `Cookie` header, or undefined (first one wins, like browsers send the most specific path first). */
export function readCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  const raw = Array.isArray(header) ? header.join('; ') : header;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value.length > 0 && value.length <= MAX_VALUE_LENGTH && /^[A-Za-z0-9_-]+$/.test(value)
      ? value
      : undefined;
  }
  return undefined;
}

export interface CookieOptions {
  path: string;
  httpOnly: boolean;
  /** Seconds; omitted: a browser-session cookie; 0: delete. */
  maxAge?: number;
}

/** A `Set-Cookie` value; always `Secure; SameSite=Strict`. Values are base64url, so need no encoding. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`];
  if (options.maxAge !== undefined)
    parts.push(`Max-Age=${Math.max(0, Math.floor(options.maxAge))}`);
  if (options.httpOnly) parts.push('HttpOnly');
  parts.push('Secure', 'SameSite=Strict');
  return parts.join('; ');
}
