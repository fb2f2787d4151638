import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * The endpoints a browser-based client (an SPA) calls across origins: discovery, the JWKS, the
 * token, userinfo and revocation endpoints. None of them reads a cookie (clients authenticate in
 * the request, tokens come as bearer), so `Access-Control-Allow-Origin: *` without credentials
 * lends no ambient authority. Nothing else gets CORS: the console's CSRF defence relies on
 * auth-api never approving a preflight for its cookie endpoints.
 */
const CORS_PATHS = new Set([
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
  '/oauth/token',
  '/oauth/par',
  '/oauth/userinfo',
  '/oauth/revoke',
]);

/**
 * `DPoP` (RFC 9449) is a request header a browser client sends to the token and userinfo
 * endpoints; its answers' `DPoP-Nonce` must be readable by the client's script, as must the
 * `WWW-Authenticate` challenge. Without them a browser could not use DPoP here at all.
 */
const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, DPoP',
  'Access-Control-Max-Age': '600',
};
const EXPOSED_HEADERS = 'WWW-Authenticate, DPoP-Nonce';

export function installOidcCors(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0];
    if (!CORS_PATHS.has(path) || request.headers.origin === undefined) return done();
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (request.method === 'OPTIONS') {
      reply.code(204).headers(PREFLIGHT_HEADERS).send();
      return;
    }
    done();
  });
}
