// 1. Verification micro-benchmark: the library's verify path (the code the JWT guard runs) with
// the verified-token cache off, against raw node:crypto ES256 verify on the same tokens (the
// ceiling), and against jsonwebtoken (KeyObject and PEM string), jose and fast-jwt.
// Then the cache-hit path against the same ceiling, and (rows 1h-1j) the verifier with 8 issuers
// configured and with the Keycloak preset, each against the library itself in the same rounds.
//
//   node bench/verify.mjs [--quick] [--contenders=library,raw]   (standalone; `npm run bench` runs it too)
import {
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';

import {
  createKeySource,
  keycloakIssuer,
  resolveAuthOptions,
  StaticKeySource,
  TokenVerifier,
  VerifiedTokenCache,
} from '@jwt-token/auth';

import { formatTable, isMain, log, optionalRequire, parseOptions, row } from './lib/common.mjs';
import { measure } from './lib/micro.mjs';
import { makeTokenKit } from './lib/tokens.mjs';

/** The verifier exactly as AuthModule wires it for the guard, from a JWKS key (as resource-api gets it). */
export function libraryVerifier({ issuer, audience, kid, publicJwk, cacheEntries }) {
  const options = resolveAuthOptions({
    issuer,
    audience,
    algorithms: ['ES256'],
    publicKeys: [{ kid, key: publicJwk }],
    verifiedTokenCache: cacheEntries > 0 ? { maxEntries: cacheEntries } : { maxEntries: 0 },
  });
  const keySource = new StaticKeySource(options.keySource.keys, options.algorithms);
  const cache = new VerifiedTokenCache(options.cacheMaxEntries, keySource, options.clock);
  return new TokenVerifier(options, keySource, cache);
}

/** A verifier from module options, wired as AuthModule wires it (primary key source, cache off). */
function moduleVerifier(moduleOptions) {
  const options = resolveAuthOptions({ ...moduleOptions, verifiedTokenCache: { maxEntries: 0 } });
  const keySource = createKeySource(options.keySource, options.algorithms, options.clock);
  const cache = new VerifiedTokenCache(options.cacheMaxEntries, keySource, options.clock);
  return new TokenVerifier(options, keySource, cache);
}

/**
 * Row 1h: the same tokens with 8 issuers configured, theirs the 5th (a token's `iss` picks its
 * issuer by exact match, so its position should not matter). The other 7 have keys of their own.
 */
export function eightIssuerVerifier({ issuer, audience, kid, publicJwk }) {
  const others = Array.from({ length: 7 }, (_, i) => ({
    issuer: `https://issuer-${i}.bench.test`,
    audience,
    publicKeys: [
      {
        kid: `other-${i}`,
        key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
      },
    ],
  }));
  const own = { issuer, audience, algorithms: ['ES256'], publicKeys: [{ kid, key: publicJwk }] };
  return moduleVerifier({ issuers: [...others.slice(0, 4), own, ...others.slice(4)] });
}

/** Row 1i: the Keycloak preset (ES256, the kit's key) verifying Keycloak-shaped tokens. */
export function keycloakVerifier({ audience, kid, publicJwk }) {
  const preset = keycloakIssuer({
    baseUrl: 'http://127.0.0.1:1',
    realm: 'bench',
    clientId: audience,
    algorithms: ['ES256'],
  });
  return moduleVerifier({
    issuers: [{ ...preset, jwksUri: undefined, publicKeys: [{ kid, key: publicJwk }] }],
  });
}

/**
 * Row 1i's reference: the same Keycloak-shaped tokens through the default claim mapping (`roles`,
 * `scope`, `client_id`), with only the token-type policy they need: what the preset's mapping
 * (two role paths merged, `client_id`/`azp`) costs on top, with the token size the same.
 */
export function defaultMappingVerifier({ audience, kid, publicJwk }) {
  return moduleVerifier({
    issuers: [
      {
        issuer: 'http://127.0.0.1:1/realms/bench',
        audience,
        algorithms: ['ES256'],
        publicKeys: [{ kid, key: publicJwk }],
        tokenType: {
          headerTypes: ['JWT'],
          accessTokenClaims: [{ claim: 'typ', values: ['Bearer'] }],
        },
      },
    ],
  });
}

/** An access token laid out as Keycloak lays it out (header typ JWT), signed with the kit's key. */
function mintKeycloak(kit, i) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: kit.kid };
  const payload = {
    exp: now + 3600,
    iat: now,
    jti: randomUUID(),
    iss: 'http://127.0.0.1:1/realms/bench',
    aud: [kit.audience, 'account'],
    sub: `user-${i}`,
    typ: 'Bearer',
    azp: 'web',
    sid: randomUUID(),
    acr: '1',
    'allowed-origins': ['https://app.example.com'],
    realm_access: { roles: ['offline_access', 'uma_authorization', 'user'] },
    resource_access: {
      [kit.audience]: { roles: ['editor'] },
      account: { roles: ['manage-account', 'view-profile'] },
    },
    scope: 'openid profile email',
    email_verified: true,
    preferred_username: `user-${i}`,
  };
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = cryptoSign('sha256', Buffer.from(input), {
    key: kit.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** AuthModule's default verified-token cache size. */
const FULL_CACHE = 10_000;

export async function run(options = parseOptions()) {
  const count = options.quick ? 1000 : 2000;
  const kit = makeTokenKit({ count, issuer: 'http://127.0.0.1:3000' });
  const { tokens, issuer, audience, kid, publicJwk } = kit;
  const n = tokens.length;
  const publicKey = createPublicKey({ key: publicJwk, format: 'jwk' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });

  const uncached = libraryVerifier({ issuer, audience, kid, publicJwk, cacheEntries: 0 });
  const cached = libraryVerifier({ issuer, audience, kid, publicJwk, cacheEntries: n * 2 });
  for (const token of tokens) await cached.verify(token); // fills the cache: every later call is a hit
  // A busy resource server: its cache full at the default 10,000 entries, one client's token hit
  // over and over (resource-api's 3a). This is the case that made a Map-based LRU walk a chain
  // of deleted entries on every hit.
  const full = libraryVerifier({ issuer, audience, kid, publicJwk, cacheEntries: FULL_CACHE });
  for (let i = 0; i < FULL_CACHE; i++) await full.verify(kit.mint(`filler-${i}`));
  const hot = tokens[0];
  await full.verify(hot);

  // The ceiling: split the token, decode the signature, one crypto.verify. Nothing else.
  const raw = (token) => {
    const dot = token.lastIndexOf('.');
    return cryptoVerify(
      'sha256',
      Buffer.from(token.slice(0, dot)),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(token.slice(dot + 1), 'base64url'),
    );
  };

  const eight = eightIssuerVerifier({ issuer, audience, kid, publicJwk });
  const keycloak = keycloakVerifier({ audience, kid, publicJwk });
  const keycloakTokens = Array.from({ length: n }, (_, i) => mintKeycloak(kit, i));
  const keycloakDefault = defaultMappingVerifier({ audience, kid, publicJwk });

  const contenders = {
    raw: { fn: (i) => raw(tokens[i % n]) },
    library: { fn: (i) => uncached.verify(tokens[i % n]), async: true },
    'library (8 issuers)': { fn: (i) => eight.verify(tokens[i % n]), async: true },
    'library (Keycloak preset)': {
      fn: (i) => keycloak.verify(keycloakTokens[i % n]),
      async: true,
    },
    'library (Keycloak tokens with default mapping)': {
      fn: (i) => keycloakDefault.verify(keycloakTokens[i % n]),
      async: true,
    },
  };
  const jwt = optionalRequire('jsonwebtoken');
  const claimsOptions = { algorithms: ['ES256'], issuer, audience };
  if (jwt) {
    contenders['jsonwebtoken (KeyObject)'] = {
      fn: (i) => jwt.verify(tokens[i % n], publicKey, claimsOptions),
    };
    contenders['jsonwebtoken (PEM string)'] = {
      fn: (i) => jwt.verify(tokens[i % n], publicPem, claimsOptions),
    };
  }
  const jose = await import('jose').catch(() => null);
  if (jose) {
    const joseKey = await jose.importJWK({ ...publicJwk }, 'ES256');
    const joseOptions = { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt' };
    contenders['jose jwtVerify'] = {
      fn: (i) => jose.jwtVerify(tokens[i % n], joseKey, joseOptions),
      async: true,
    };
  }
  const fastJwt = optionalRequire('fast-jwt');
  if (fastJwt) {
    const fastVerify = fastJwt.createVerifier({
      key: publicPem,
      algorithms: ['ES256'],
      allowedIss: issuer,
      allowedAud: audience,
      cache: false,
    });
    contenders['fast-jwt'] = { fn: (i) => fastVerify(tokens[i % n]) };
  }
  contenders['library (cache hit)'] = { fn: (i) => cached.verify(tokens[i % n]), async: true };
  contenders['library (hot token in full cache)'] = { fn: () => full.verify(hot), async: true };

  // Every contender must accept the tokens, or its figure means nothing.
  for (const [name, { fn }] of Object.entries(contenders)) {
    const outcome = await fn(0);
    if (outcome === false) throw new Error(`${name} refused a valid token`);
  }
  if (options.contenders) {
    for (const name of Object.keys(contenders))
      if (!options.contenders.includes(name)) delete contenders[name];
  }

  log(
    `verify: ${Object.keys(contenders).length} contenders, ${n} distinct tokens, ${options.microRounds} rounds of ${options.microRoundMs} ms`,
  );
  const results = await measure(contenders, {
    rounds: options.microRounds,
    roundMs: options.microRoundMs,
  });
  const rows = [];
  /** Rows measured against the contender `refKey`, in the same rounds. */
  const against =
    (refKey, refName) =>
    (id, name, key, target, note = undefined) => {
      const ref = results[refKey];
      if (!results[key] || !ref) return;
      rows.push(
        row({
          id,
          group: 'verify',
          name,
          value: results[key].median,
          unit: '/s',
          refName,
          refValue: ref.median,
          target,
          rounds: results[key].rounds,
          refRounds: ref.rounds,
          paired: true,
          note,
        }),
      );
    };
  const vsCeiling = against('raw', 'raw crypto.verify ES256');
  vsCeiling('1a', 'library verify, cache off (guard path)', 'library', { op: '>=', value: 0.85 });
  vsCeiling('1b', 'library verify, cache hit', 'library (cache hit)', { op: '>=', value: 5 });
  vsCeiling('1c', 'jsonwebtoken, KeyObject', 'jsonwebtoken (KeyObject)', null);
  vsCeiling('1d', 'jsonwebtoken, PEM string', 'jsonwebtoken (PEM string)', null);
  vsCeiling('1e', 'jose jwtVerify', 'jose jwtVerify', null);
  vsCeiling('1f', 'fast-jwt (its cache off)', 'fast-jwt', null);
  vsCeiling(
    '1g',
    `library verify, one token hit in a full cache (${FULL_CACHE.toLocaleString('en-US')} entries)`,
    'library (hot token in full cache)',
    { op: '>=', value: 5 },
  );
  // Rows against the library itself (1 issuer, default claim mapping), measured in the same rounds.
  const vsLibrary = against('library', 'library verify, 1 issuer, cache off (1a)');
  vsLibrary('1h', 'library verify, 8 issuers configured, cache off', 'library (8 issuers)', {
    op: '>=',
    value: 0.97,
  });
  const vsDefaultMapping = against(
    'library (Keycloak tokens with default mapping)',
    'the same tokens, default claim mapping',
  );
  vsDefaultMapping(
    '1i',
    'library verify, Keycloak preset on Keycloak-shaped tokens, cache off',
    'library (Keycloak preset)',
    { op: '>=', value: 0.95 },
  );
  vsLibrary(
    '1j',
    'library verify, Keycloak preset on Keycloak-shaped tokens, cache off',
    'library (Keycloak preset)',
    null,
  );
  if (!fastJwt) log('verify: fast-jwt is not installed; its row is left out (npm i -D fast-jwt)');
  return { rows, details: { tokens: n, results } };
}

if (isMain(import.meta.url)) {
  const options = parseOptions();
  const contenders = process.argv.find((a) => a.startsWith('--contenders='));
  if (contenders) options.contenders = contenders.slice('--contenders='.length).split(',');
  const { rows } = await run(options);
  console.log(formatTable(rows));
}
