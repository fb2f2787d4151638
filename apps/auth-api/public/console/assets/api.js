// The console talks to the same HTTP API as everyone else, with the access token held in memory
// and, where the browser can keep a key, every request signed with a DPoP proof (dpop.js).
import { dpopProof, rememberNonce } from './dpop.js';
import { session } from './session.js';

/** An error answer of the API: `{statusCode, error, message, fields?}`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error_description || `request failed with status ${status}`);
    this.status = status;
    this.code = body?.error ?? 'request_failed';
    this.fields = Array.isArray(body?.fields) ? body.fields : [];
    /** The whole answer: some errors carry more (`mfa_required` its `mfa_token`). */
    this.body = body ?? {};
  }
}

async function parse(response) {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

/**
 * `Authorization` and `DPoP` of one request: a DPoP-bound token goes with a proof over it; a
 * request that obtains tokens (`proof: true`) carries a proof so that they are bound to the key.
 */
async function credentialHeaders(method, path, { token, tokenType, proof }) {
  if (token && tokenType === 'DPoP') {
    const dpop = await dpopProof(method, path, token);
    return { authorization: `DPoP ${token}`, ...(dpop ? { dpop } : {}) };
  }
  if (token) return { authorization: `Bearer ${token}` };
  const dpop = proof ? await dpopProof(method, path) : null;
  return dpop ? { dpop } : {};
}

/** The server asked for its nonce (RFC 9449 §8) and sent one: one retry with it. */
function asksForNonce(response, data) {
  if (!response.headers.has('dpop-nonce')) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  return data?.error === 'use_dpop_nonce' || challenge.includes('use_dpop_nonce');
}

/**
 * Sends a request without touching the session (for the session endpoints themselves). `token`
 * and `tokenType` authorize it; `proof` signs a token-issuing request with the DPoP key.
 */
export async function rawRequest(
  method,
  path,
  { body, headers = {}, token, tokenType, proof = false } = {},
) {
  const send = async () => {
    const init = {
      method,
      headers: {
        accept: 'application/json',
        ...headers,
        ...(await credentialHeaders(method, path, { token, tokenType, proof })),
      },
      credentials: 'same-origin',
      cache: 'no-store',
    };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, {
        error: 'network_error',
        message: 'The server could not be reached. Check your connection and try again.',
      });
    }
    rememberNonce(response);
    return { response, data: await parse(response) };
  };
  let { response, data } = await send();
  if (!response.ok && asksForNonce(response, data)) ({ response, data } = await send());
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * Calls the API with the session's access token (DPoP-bound where the browser keeps a key). A 401 for an expired or revoked token gets one
 * silent refresh through the console cookie and one retry; if that fails, the session ends.
 */
export async function api(method, path, body) {
  const send = () =>
    rawRequest(method, path, {
      body,
      token: session.accessToken,
      tokenType: session.tokenType,
    });
  if (!session.accessToken) await session.refresh();
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    await session.refresh();
    return send();
  }
}
