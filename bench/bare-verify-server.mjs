// The physical limit of a guarded route on this machine: a bare node:http server that verifies an
// ES256 bearer token per request with node:crypto (no framework, no cache) and answers like
// resource-api's GET /me. GET /health answers without any verification (its unguarded rate).
//
//   PORT=… BENCH_JWK='{"kty":"EC",…}' BENCH_ISSUER=… BENCH_AUDIENCE=… node bench/bare-verify-server.mjs
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';

const jwk = JSON.parse(process.env.BENCH_JWK ?? 'null');
if (!jwk) {
  process.stderr.write('bare-verify-server: BENCH_JWK (the public JWK) is required\n');
  process.exit(1);
}
const key = createPublicKey({
  key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
  format: 'jwk',
});
const issuer = process.env.BENCH_ISSUER;
const audience = process.env.BENCH_AUDIENCE ?? 'resource-api';

function unauthorized(response) {
  response.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': 'Bearer error="invalid_token"',
  });
  response.end('{"statusCode":401,"error":"invalid_token","message":"invalid token"}');
}

/** The minimum a correct guard does: alg, signature, exp, iss, aud. */
function principalOf(authorization) {
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return null;
  const token = authorization.slice(7);
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  if (first <= 0 || last <= first) return null;
  const header = JSON.parse(Buffer.from(token.slice(0, first), 'base64url').toString());
  if (header.alg !== 'ES256') return null;
  const valid = verify(
    'sha256',
    Buffer.from(token.slice(0, last)),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(token.slice(last + 1), 'base64url'),
  );
  if (!valid) return null;
  const claims = JSON.parse(Buffer.from(token.slice(first + 1, last), 'base64url').toString());
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return null;
  if (claims.iss !== issuer || claims.aud !== audience) return null;
  return claims;
}

const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"status":"ok"}');
    return;
  }
  if (request.url === '/me' && request.method === 'GET') {
    let claims = null;
    try {
      claims = principalOf(request.headers.authorization);
    } catch {
      claims = null;
    }
    if (!claims) return unauthorized(response);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ sub: claims.sub, roles: claims.roles ?? [], scope: claims.scope ?? '' }),
    );
    return;
  }
  response.writeHead(404, { 'content-type': 'application/json' });
  response.end('{"statusCode":404,"error":"not_found","message":"not found"}');
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
