// A real, foreign OpenID Provider for the e2e test: panva's oidc-provider, started as a child
// process (it is ESM-only, and Jest here cannot load ESM from node_modules untransformed).
//
//   OIDC_PORT=0 OIDC_JWKS='{"keys":[<private JWKs>]}' node provider.mjs
//
// Prints `ready <issuer>` once listening. JWT access tokens (RFC 9068, typ at+jwt) are issued for
// the resource indicator https://orders.api to the client_credentials client `svc`/`svc-secret`.
import Provider from 'oidc-provider';

const RESOURCE = 'https://orders.api';
const SCOPES = 'orders:read orders:write orders:admin';

const port = Number(process.env.OIDC_PORT ?? 0);
const jwks = JSON.parse(process.env.OIDC_JWKS ?? '');

const server = await new Promise((resolve) => {
  // Listen first: the issuer URL needs the port the system chose.
  import('node:http').then(({ createServer }) => {
    const http = createServer();
    http.listen(port, '127.0.0.1', () => resolve(http));
  });
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks,
  clients: [
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: SCOPES,
      // The only key is ES256; the client's ID-token default (RS256) would fail its metadata check.
      id_token_signed_response_alg: 'ES256',
    },
  ],
  scopes: SCOPES.split(' '),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE) throw new Error('unknown resource');
        return {
          scope: SCOPES,
          audience: RESOURCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});
provider.on('server_error', (_ctx, error) => process.stderr.write(`server_error ${error.stack}\n`));

server.on('request', provider.callback());
process.stdout.write(`ready ${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
