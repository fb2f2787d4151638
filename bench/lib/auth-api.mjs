// Driving auth-api (as built) in the benchmarks: start it, register users, log in, and the
// autocannon request specs for logins and refresh-token chains.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ENTRIES, startService } from './common.mjs';

export const PASSWORD = 'bench-password-0123';
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * auth-api on SQLite (a fresh DATA_DIR) or on `databaseUrl`, with the throttler out of the way
 * (RATE_LIMIT_PER_MINUTE at its maximum) and the lockout threshold high enough that concurrent
 * logins of one user never trip it.
 */
export async function startAuthApi({
  name = 'auth-api',
  databaseUrl,
  logLevel = 'warn',
  extraEnv = {},
  args = [],
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jwt-bench-auth-'));
  let service;
  try {
    service = await startService({
      name,
      entry: ENTRIES['auth-api'],
      readyPath: '/health/live',
      args,
      env: {
        DATA_DIR: dataDir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        AUTH_ISSUER: 'http://auth-api.bench.test',
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOGIN_MAX_FAILURES: '1000',
        LOG_LEVEL: logLevel,
        ...extraEnv,
      },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const stop = service.stop;
  service.stop = async () => {
    const status = await stop();
    rmSync(dataDir, { recursive: true, force: true });
    return status;
  };
  return service;
}

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Registers `count` users through the API (each costs an argon2id hash), a few at a time. */
export async function registerUsers(service, count, prefix = 'bench-user') {
  const emails = Array.from({ length: count }, (_, i) => `${prefix}-${i}@bench.test`);
  for (let i = 0; i < emails.length; i += 4) {
    await Promise.all(
      emails.slice(i, i + 4).map(async (email) => {
        const { status, body } = await postJson(`${service.url}/auth/register`, {
          email,
          password: PASSWORD,
        });
        if (status !== 201) throw new Error(`register ${email}: ${status} ${JSON.stringify(body)}`);
      }),
    );
  }
  return emails;
}

/** Logs in `count` times (round robin over `emails`) and returns the refresh tokens. */
export async function login(service, emails, count) {
  const tokens = [];
  for (let i = 0; i < count; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, count - i) }, async (_, j) => {
        const email = emails[(i + j) % emails.length];
        const { status, body } = await postJson(`${service.url}/auth/login`, {
          email,
          password: PASSWORD,
        });
        if (status !== 200) throw new Error(`login ${email}: ${status} ${JSON.stringify(body)}`);
        return body.refresh_token;
      }),
    );
    tokens.push(...batch);
  }
  return tokens;
}

/** autocannon requests: logins rotating over `emails`; collects refresh tokens into `collect` if given. */
export function loginRequests(emails, collect) {
  let next = 0;
  const bodies = emails.map((email) => JSON.stringify({ email, password: PASSWORD }));
  return [
    {
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json' },
      setupRequest(request) {
        request.body = bodies[next++ % bodies.length];
        return request;
      },
      ...(collect
        ? {
            onResponse(status, body) {
              if (status === 200 && collect.length < 500)
                collect.push(JSON.parse(body).refresh_token);
            },
          }
        : {}),
    },
  ];
}

/**
 * autocannon requests: each connection redeems its own session's refresh token and carries the
 * rotated one to its next request. `chain` is deep-cloned per connection by autocannon, and both
 * callbacks see that connection's clone (setupRequest as `request.chain`, onResponse as `this`).
 */
export function refreshRequests(pool) {
  return [
    {
      method: 'POST',
      path: '/auth/refresh',
      headers: { 'content-type': 'application/json' },
      chain: { token: null },
      setupRequest(request) {
        const chain = request.chain;
        if (!chain.token) chain.token = pool.pop();
        if (!chain.token) throw new Error('not enough sessions for the refresh connections');
        request.body = JSON.stringify({ refresh_token: chain.token });
        return request;
      },
      onResponse(status, body) {
        if (status === 200) this.chain.token = JSON.parse(body).refresh_token;
        // A refused token ends its chain: continue on a fresh session if one is left.
        else this.chain.token = pool.pop() ?? this.chain.token;
      },
    },
  ];
}
