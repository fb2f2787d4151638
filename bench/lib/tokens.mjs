// Keys and tokens for the benchmarks: minted by the library's own test helpers, shaped like the
// access tokens auth-api issues (RFC 9068: typ at+jwt, kid, iss, sub, aud, exp, iat, jti,
// client_id, scope, roles, sid).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

import { InMemoryKeyStore, TestTokenFactory } from '@jwt-token/auth/testing';

import { HOST } from './common.mjs';

export const AUDIENCE = 'resource-api';

/** A key pair and `count` distinct ES256 access tokens for `issuer`. */
export function makeTokenKit({
  count,
  issuer = 'http://127.0.0.1:1',
  audience = AUDIENCE,
  expiresIn = 3600,
}) {
  const keys = new InMemoryKeyStore('ES256');
  const factory = new TestTokenFactory(keys, issuer, audience);
  const { kid, privateKey } = keys.signingKey;
  const jwks = keys.toJwks();
  const publicJwk = jwks.keys[0];
  const mint = (i) =>
    factory.sign(
      { sub: `user-${i}`, roles: ['user'], scope: '', client_id: 'web', sid: randomUUID() },
      { expiresIn },
    );
  const tokens = Array.from({ length: count }, (_, i) => mint(i));
  return { keys, factory, kid, privateKey, jwks, publicJwk, issuer, audience, tokens, mint };
}

/** Serves a JWK Set at /.well-known/jwks.json on 127.0.0.1 (what auth-api would publish). */
export async function startJwksServer(keys) {
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      const body = JSON.stringify(keys.toJwks());
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'max-age=300',
      });
      response.end(body);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address();
  const url = `http://${HOST}:${port}`;
  return {
    url,
    jwksUri: `${url}/.well-known/jwks.json`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Picks a free port for the JWKS server first, so that tokens can name its URL as their issuer. */
export async function tokenKitWithJwks(count, expiresIn = 3600) {
  // The issuer must be known before minting: start the server first, then mint for its URL.
  const keys = new InMemoryKeyStore('ES256');
  const jwksServer = await startJwksServer(keys);
  const factory = new TestTokenFactory(keys, jwksServer.url, AUDIENCE);
  const mint = (i, claims = {}) =>
    factory.sign(
      {
        sub: `user-${i}`,
        roles: ['user'],
        scope: '',
        client_id: 'web',
        sid: randomUUID(),
        ...claims,
      },
      { expiresIn },
    );
  const tokens = Array.from({ length: count }, (_, i) => mint(i));
  return {
    keys,
    issuer: jwksServer.url,
    audience: AUDIENCE,
    jwksUri: jwksServer.jwksUri,
    publicJwk: keys.toJwks().keys[0],
    tokens,
    mint,
    close: jwksServer.close,
  };
}

/** The environment resource-api needs to trust `kit`'s tokens (its JWKS served by the kit). */
export function resourceApiEnv(kit, logLevel) {
  return {
    AUTH_ISSUER: kit.issuer,
    AUTH_JWKS_URI: kit.jwksUri,
    AUTH_AUDIENCE: kit.audience,
    LOG_LEVEL: logLevel,
  };
}

/** The environment of bench/bare-verify-server.mjs for `kit`'s tokens. */
export function bareServerEnv(kit) {
  return {
    BENCH_JWK: JSON.stringify(kit.publicJwk),
    BENCH_ISSUER: kit.issuer,
    BENCH_AUDIENCE: kit.audience,
  };
}
