// 7. auth-api as an OpenID Provider (dist/apps/auth-api/main.js, SQLite), browserless:
//   - authorization-code redemption throughput (POST /oauth/token, grant_type=authorization_code,
//     PKCE) against refresh throughput (grant_type=refresh_token of the same client), same run;
//   - the whole flow with an existing browser session, authorize → code → token: p50 and p99.
//
//   node bench/oidc.mjs [--quick]
import { createHash, randomBytes } from 'node:crypto';
import { URLSearchParams } from 'node:url';

import {
  failures,
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  parseOptions,
  percentile,
  row,
} from './lib/common.mjs';
import { PASSWORD, registerUsers, startAuthApi } from './lib/auth-api.mjs';

const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };
const REDIRECT = 'https://app.bench.test/cb';
const VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/** A browser session at the hosted login page: the `__Secure-oidc_session` cookie. */
async function hostedSignIn(service, clientId, email) {
  const page = await fetch(authorizeUrl(service, clientId), { redirect: 'manual' });
  const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('__Secure-oidc_csrf'));
  const html = await page.text();
  const fields = Object.fromEntries(
    [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
  const login = await fetch(`${service.url}/oauth/authorize/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: service.url,
      cookie: csrfCookie.split(';')[0],
    },
    body: new URLSearchParams({ ...fields, email, password: PASSWORD }).toString(),
  });
  const session = login.headers.getSetCookie().find((c) => c.startsWith('__Secure-oidc_session'));
  if (login.status !== 303 || !session) throw new Error(`hosted sign-in failed: ${login.status}`);
  return session.split(';')[0];
}

function authorizeUrl(service, clientId) {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope: 'openid email',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'bench',
  });
  return `${service.url}/oauth/authorize?${params}`;
}

async function authorize(service, clientId, cookie) {
  const res = await fetch(authorizeUrl(service, clientId), {
    redirect: 'manual',
    headers: { cookie },
  });
  const code =
    res.status === 303 ? new URL(res.headers.get('location')).searchParams.get('code') : null;
  if (!code) throw new Error(`authorize answered ${res.status}`);
  return code;
}

function codeForm(clientId, code) {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: VERIFIER,
    client_id: clientId,
  }).toString();
}

async function redeem(service, clientId, code) {
  const res = await fetch(`${service.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: codeForm(clientId, code),
  });
  if (res.status !== 200) throw new Error(`code redemption answered ${res.status}`);
  return res.json();
}

/** `count` codes, `parallel` authorizations at a time. */
async function codes(service, clientId, cookie, count, parallel = 8) {
  const out = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (out.length < count) out.push(await authorize(service, clientId, cookie));
    }),
  );
  return out.slice(0, count);
}

function tokenRequests(pool, body) {
  return [
    {
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      chain: { token: null },
      setupRequest(request) {
        request.body = body(request.chain, pool);
        return request;
      },
      onResponse(status, text) {
        if (status === 200 && this.chain) this.chain.token = JSON.parse(text).refresh_token;
      },
    },
  ];
}

export async function run(options = parseOptions()) {
  const rows = [];
  const problems = [];
  const seconds = options.authSeconds;
  log('oidc: starting auth-api on SQLite');
  const service = await startAuthApi({
    name: 'auth-api-oidc',
    logLevel: options.logLevel,
    extraEnv: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
  });
  try {
    const admin = await (
      await fetch(`${service.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      })
    ).json();
    const client = await (
      await fetch(`${service.url}/clients`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${admin.access_token}`,
        },
        body: JSON.stringify({
          name: 'bench app',
          redirect_uris: [REDIRECT],
          token_endpoint_auth_method: 'none',
          first_party: true,
        }),
      })
    ).json();
    const clientId = client.client_id;
    const [email] = await registerUsers(service, 1, 'bench-oidc');
    const cookie = await hostedSignIn(service, clientId, email);

    log('oidc: the whole flow (authorize with a session, then the code grant), one at a time');
    const flow = [];
    for (let i = 0; i < (options.quick ? 100 : 400); i++) {
      const started = process.hrtime.bigint();
      await redeem(service, clientId, await authorize(service, clientId, cookie));
      flow.push(Number(process.hrtime.bigint() - started) / 1e6);
    }

    const count = options.quick ? 1500 : 6000;
    log(`oidc: ${count} codes, then their redemption under load`);
    const pool = await codes(service, clientId, cookie, count);
    const redemption = await load({
      url: `${service.url}/oauth/token`,
      pid: service.pid,
      amount: pool.length,
      connections: options.connections,
      requests: tokenRequests(pool, (_chain, codesLeft) => codeForm(clientId, codesLeft.pop())),
    });
    const failed = failures(redemption);
    if (failed) problems.push(`oidc code redemption: ${failed}`);

    log('oidc: refresh throughput of the same client');
    const refreshPool = [];
    for (const code of await codes(service, clientId, cookie, options.connections * 2))
      refreshPool.push((await redeem(service, clientId, code)).refresh_token);
    const refresh = await load({
      url: `${service.url}/oauth/token`,
      pid: service.pid,
      duration: seconds,
      connections: options.connections,
      requests: tokenRequests(refreshPool, (chain, tokens) => {
        chain.token ??= tokens.pop();
        return new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: chain.token,
          client_id: clientId,
        }).toString();
      }),
    });
    const refreshFailed = failures(refresh);
    if (refreshFailed) problems.push(`oidc refresh: ${refreshFailed}`);
    rows.push(
      row({
        id: '7a',
        group: 'oidc',
        name: `authorization-code redemption throughput (PKCE, SQLite, ${options.connections} connections)`,
        value: redemption.rps,
        unit: '/s',
        p50: redemption.p50,
        p99: redemption.p99,
        refName: 'refresh_token grant throughput of the same client, same process',
        refValue: refresh.rps,
      }),
      row({
        id: '7b',
        group: 'oidc',
        name: 'whole browserless flow p50: authorize (existing session) → code → token',
        value: percentile(flow, 50),
        unit: 'ms',
        refName: 'its p99',
        refValue: percentile(flow, 99),
      }),
    );
    return { rows, problems, details: { redemption, refresh, flow: { count: flow.length } } };
  } finally {
    await service.stop();
    const logged = logProblems(service.logPath);
    if (logged.length)
      problems.push(`auth-api (OIDC) logged ${logged.length} error line(s), first: ${logged[0]}`);
  }
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems) console.log(`problem: ${problem}`);
}
