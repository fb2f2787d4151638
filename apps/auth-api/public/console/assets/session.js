// The signed-in state. The access token lives in this module's memory only (never in web
// storage); the refresh token is in an HttpOnly cookie this page cannot
// read, scoped to /console/session, and every use of it carries the CSRF token. Where the
// browser can keep a DPoP key (dpop.js), both are bound to it: neither works anywhere else.
import { ApiError, rawRequest } from './api.js';
import { decodeJwt } from './jwt.js';

const CSRF_COOKIE = '__Secure-console_csrf';
/** Refresh this long before the access token expires (or at 80% of a shorter lifetime). */
const REFRESH_AHEAD_MS = 60_000;
const RETRY_AFTER_ERROR_MS = 10_000;

/** The double-submit token: the readable CSRF cookie, echoed in a header. */
function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === CSRF_COOKIE) return part.slice(eq + 1).trim();
  }
  return '';
}

/** The page hands out the sign-in CSRF token; ask for it again if the browser has dropped it. */
async function ensureCsrfToken() {
  if (!csrfToken()) await fetch('/console', { credentials: 'same-origin', cache: 'no-store' });
  if (!csrfToken()) {
    throw new ApiError(0, {
      error: 'cookies_unavailable',
      message:
        'The console could not set its cookies. Allow cookies for this site, and use HTTPS (or localhost).',
    });
  }
}

const csrfHeaders = () => ({ 'x-csrf-token': csrfToken() });

/** Fires `change` (detail: `{reason}`) whenever the user signs in, refreshes or is signed out. */
class ConsoleSession extends EventTarget {
  accessToken = null;
  /** `DPoP` when the token is bound to this browser's key (dpop.js), else `Bearer`. */
  tokenType = null;
  header = null;
  claims = null;
  /** Epoch ms at which the access token expires. */
  expiresAt = 0;
  /** `{id, email, roles, createdAt}` from GET /auth/me. */
  profile = null;
  #refreshing = null;
  #timer = null;

  get signedIn() {
    return this.accessToken !== null;
  }

  get isAdmin() {
    return Array.isArray(this.claims?.roles) && this.claims.roles.includes('admin');
  }

  /** On page load: resumes a console session from the cookie, if there is one. */
  async restore() {
    // The server marks the CSRF token of a signed-in session with `s-` (`p-` before sign-in).
    if (!csrfToken().startsWith('s-')) return false;
    try {
      await this.refresh();
      return true;
    } catch {
      return false;
    }
  }

  async login(email, password) {
    await ensureCsrfToken();
    const tokens = await rawRequest('POST', '/console/session', {
      body: { email, password },
      headers: csrfHeaders(),
      proof: true,
    });
    await this.#accept(tokens, 'signed_in');
  }

  /** The second step after a 403 `mfa_required`: `proof` is `{code}` or `{recovery_code}`. */
  async loginMfa(mfaToken, proof) {
    await ensureCsrfToken();
    const tokens = await rawRequest('POST', '/console/session/mfa', {
      body: { mfa_token: mfaToken, ...proof },
      headers: csrfHeaders(),
      proof: true,
    });
    await this.#accept(tokens, 'signed_in');
  }

  /** A passwordless sign-in: `credential` is the passkey's answer to `/auth/passkey/options`. */
  async loginPasskey(credential) {
    await this.#signInAt('/console/session/passkey', { credential });
  }

  /** The second step with a passkey, after a 403 `mfa_required` that listed `passkey`. */
  async loginMfaPasskey(mfaToken, credential) {
    await this.#signInAt('/console/session/mfa/passkey', { mfa_token: mfaToken, credential });
  }

  async #signInAt(path, body) {
    await ensureCsrfToken();
    const tokens = await rawRequest('POST', path, { body, headers: csrfHeaders(), proof: true });
    await this.#accept(tokens, 'signed_in');
  }

  /** Rotates the refresh cookie for a new access token; concurrent callers share one request. */
  refresh() {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async logout() {
    try {
      await rawRequest('POST', '/console/session/logout', { headers: csrfHeaders() });
    } finally {
      this.#end('signed_out');
    }
  }

  async #refresh() {
    try {
      await this.#accept(
        await rawRequest('POST', '/console/session/refresh', {
          headers: csrfHeaders(),
          proof: true,
        }),
        'refreshed',
      );
    } catch (error) {
      // 401 (session gone) or 403 (CSRF token lost): the session is over. Anything else (network,
      // throttling, a restart) is retried while the current access token still works.
      const over = error instanceof ApiError && (error.status === 401 || error.status === 403);
      if (!over && this.expiresAt > Date.now()) {
        this.#schedule(RETRY_AFTER_ERROR_MS);
      } else if (this.signedIn) {
        this.#end('expired');
      }
      throw error;
    }
  }

  async #accept(tokens, reason) {
    const decoded = decodeJwt(tokens.access_token);
    if (!decoded)
      throw new ApiError(0, {
        error: 'invalid_response',
        message: 'The server sent an unreadable token.',
      });
    this.accessToken = tokens.access_token;
    this.tokenType = tokens.token_type === 'DPoP' ? 'DPoP' : 'Bearer';
    this.header = decoded.header;
    this.claims = decoded.claims;
    this.expiresAt =
      typeof decoded.claims.exp === 'number'
        ? decoded.claims.exp * 1000
        : Date.now() + tokens.expires_in * 1000;
    const lifetime = this.expiresAt - Date.now();
    this.#schedule(Math.max(5_000, Math.min(lifetime - REFRESH_AHEAD_MS, lifetime * 0.8)));
    if (reason === 'signed_in' || this.profile?.id !== decoded.claims.sub) {
      this.profile = await rawRequest('GET', '/auth/me', {
        token: this.accessToken,
        tokenType: this.tokenType,
      });
    }
    this.dispatchEvent(new CustomEvent('change', { detail: { reason } }));
  }

  #schedule(delay) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.refresh().catch(() => {}), delay);
  }

  #end(reason) {
    const wasSignedIn = this.signedIn;
    clearTimeout(this.#timer);
    this.accessToken = null;
    this.tokenType = null;
    this.header = null;
    this.claims = null;
    this.expiresAt = 0;
    this.profile = null;
    if (wasSignedIn) this.dispatchEvent(new CustomEvent('change', { detail: { reason } }));
  }
}

export const session = new ConsoleSession();
