// The console talks to the same HTTP API as everyone else, with the access token held in memory.
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

/** Sends a request without touching the session (for the session endpoints themselves). */
export async function rawRequest(method, path, { body, headers = {} } = {}) {
  const init = {
    method,
    headers: { accept: 'application/json', ...headers },
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
  const data = await parse(response);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * Calls the API with the session's bearer token. A 401 for an expired or revoked token gets one
 * silent refresh through the console cookie and one retry; if that fails, the session ends.
 */
export async function api(method, path, body) {
  const send = () =>
    rawRequest(method, path, { body, headers: { authorization: `Bearer ${session.accessToken}` } });
  if (!session.accessToken) await session.refresh();
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    await session.refresh();
    return send();
  }
}
