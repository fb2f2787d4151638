// 3. HTTP: resource-api as built (dist/apps/resource-api/main.js), under autocannon, against
//   a. its own public GET /articles, same process (what the guard costs on a reused token);
//   b. the bare node:http server of bench/bare-verify-server.mjs verifying the same fresh tokens
//      with node:crypto (the physical limit of a guarded route);
//   c. the NestJS documentation's recipe (bench/peers/nest-docs-recipe), reused tokens;
//   d. a GraphQL query on Mercurius guarded by the library vs the same query @Public()
//      (bench/graphql-server.mjs), reused token;
//   h. GET /me with a fresh DPoP-bound token and a fresh proof per request (RFC 9449: two
//      signature checks) vs the same route with a fresh bearer token (one): what the second
//      signature check costs;
//   i. GET /me with one reused DPoP-bound token, a fresh proof per request (one signature check:
//      the token's verification is cached, the proof's cannot be) vs a reused bearer token (none).
// resource-api gets its keys from a JWKS served by this script (an InMemoryKeyStore; tokens are
// minted with the library's TestTokenFactory), exactly as it would get them from auth-api.
//
//   node bench/http.mjs [--quick]
import { createPublicKey } from 'node:crypto';

import {
  ENTRIES,
  failures,
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  parseOptions,
  row,
  startServices,
  summarizeLoads,
} from './lib/common.mjs';
import { dpopClientKey } from './lib/dpop-proofs.mjs';
import { bareServerEnv, resourceApiEnv, tokenKitWithJwks } from './lib/tokens.mjs';

/** Proofs made just before each DPoP run (fresh `iat`, one `jti` each), more than it can use. */
const PROOFS_PER_SECOND = 20_000;
/** With a fresh token too, two signatures a request: far fewer are needed (less set-up time). */
const FRESH_PROOFS_PER_SECOND = 8_000;

/** More distinct tokens than resource-api's verified-token cache holds (10,000): cycled in order, none is ever a hit. */
const FRESH_TOKENS = { quick: 12_000, full: 25_000 };

export async function run(options = parseOptions()) {
  const count = options.quick ? FRESH_TOKENS.quick : FRESH_TOKENS.full;
  log(`http: minting ${count} tokens`);
  const kit = await tokenKitWithJwks(count);
  const reused = kit.mint('reused');
  const publicPem = createPublicKey({ key: kit.publicJwk, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  const services = {};
  const problems = [];
  try {
    log('http: starting resource-api, the bare verify server, the docs-recipe peer and GraphQL');
    [services.ours, services.bare, services.peer, services.graphql] = await startServices([
      {
        name: 'resource-api',
        entry: ENTRIES['resource-api'],
        env: resourceApiEnv(kit, options.logLevel),
      },
      {
        name: 'bare-verify-server',
        entry: ENTRIES.bare,
        env: bareServerEnv(kit),
      },
      {
        name: 'nest-docs-recipe',
        entry: ENTRIES.peer,
        env: {
          BENCH_PUBLIC_KEY_PEM: publicPem,
          BENCH_ISSUER: kit.issuer,
          BENCH_AUDIENCE: kit.audience,
        },
      },
      {
        name: 'graphql-server',
        entry: ENTRIES.graphql,
        readyPath: '/graphql',
        env: {
          BENCH_ISSUER: kit.issuer,
          BENCH_JWKS_URI: kit.jwksUri,
          BENCH_AUDIENCE: kit.audience,
        },
      },
    ]);
    const idle = Object.fromEntries(
      Object.entries(services).map(([k, s]) => [k, s.memory().rssMB]),
    );

    // Every server must accept the tokens before anything is timed.
    const { graphql: graphqlService, ...restServices } = services;
    for (const [name, service] of Object.entries(restServices)) {
      for (const token of [reused, kit.tokens[0]]) {
        const response = await fetch(`${service.url}/me`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = await response.text();
        if (response.status !== 200)
          throw new Error(`${name} GET /me answered ${response.status}: ${body}`);
      }
    }

    // A fresh token per request: each server has its own position in the list, so a token comes
    // back to resource-api only after all the others, long evicted from its 10,000-entry cache.
    const fresh = () => {
      let next = 0;
      return {
        requests: [
          {
            method: 'GET',
            path: '/me',
            setupRequest(request) {
              const token = kit.tokens[next++ % kit.tokens.length];
              request.headers = { ...request.headers, authorization: `Bearer ${token}` };
              return request;
            },
          },
        ],
      };
    };
    const bearer = { headers: { authorization: `Bearer ${reused}` } };
    // Rows 3h/3i: bound tokens (fresh ones, or one reused), each request with its own proof made
    // before the run. Fresh bound tokens are as many as the fresh bearer ones: never a cache hit.
    const dpop = dpopClientKey();
    const bound = kit.mint('dpop', { cnf: { jkt: dpop.jkt } });
    const freshBound = kit.tokens.map((_, i) => kit.mint(`dpop-${i}`, { cnf: { jkt: dpop.jkt } }));
    const dpopRun = (url, seconds, tokens, perSecond) => {
      const proofs = dpop.proofs(Math.ceil(perSecond * seconds), url, tokens);
      let next = 0;
      return {
        requests: [
          {
            method: 'GET',
            path: '/me',
            setupRequest(request) {
              // Past the last proof the requests replay (and are refused): counted as failures.
              const { proof, token } = proofs[Math.min(next++, proofs.length - 1)];
              request.headers = { ...request.headers, authorization: `DPoP ${token}`, dpop: proof };
              return request;
            },
          },
        ],
      };
    };
    {
      const [{ proof }] = dpop.proofs(1, `${services.ours.url}/me`, bound);
      const response = await fetch(`${services.ours.url}/me`, {
        headers: { authorization: `DPoP ${bound}`, dpop: proof },
      });
      if (response.status !== 200)
        throw new Error(`resource-api refused a DPoP request: ${await response.text()}`);
    }
    const graphqlQuery = (field, headers = {}) => ({
      url: `${graphqlService.url}/graphql`,
      pid: graphqlService.pid,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: `{ ${field} { id title } }` }),
    });
    for (const [field, headers] of [
      ['article', bearer.headers],
      ['publicArticle', {}],
    ]) {
      const spec = graphqlQuery(field, headers);
      const response = await fetch(spec.url, {
        method: 'POST',
        headers: spec.headers,
        body: spec.body,
      });
      const body = await response.json();
      if (!body.data?.[field]) throw new Error(`graphql-server ${field}: ${JSON.stringify(body)}`);
    }
    const { ours, bare, peer } = services;
    const runs = {
      oursReused: { url: `${ours.url}/me`, pid: ours.pid, ...bearer },
      oursPublic: { url: `${ours.url}/articles`, pid: ours.pid },
      oursFresh: { url: `${ours.url}/me`, pid: ours.pid, ...fresh() },
      // Proofs go stale after a minute: each DPoP run gets its own, made right before it.
      oursDpopFresh: {
        url: `${ours.url}/me`,
        pid: ours.pid,
        prepare: (seconds) =>
          dpopRun(`${ours.url}/me`, seconds, freshBound, FRESH_PROOFS_PER_SECOND),
      },
      oursDpop: {
        url: `${ours.url}/me`,
        pid: ours.pid,
        prepare: (seconds) => dpopRun(`${ours.url}/me`, seconds, bound, PROOFS_PER_SECOND),
      },
      bareFresh: { url: `${bare.url}/me`, pid: bare.pid, ...fresh() },
      bareUnguarded: { url: `${bare.url}/health`, pid: bare.pid },
      peerReused: { url: `${peer.url}/me`, pid: peer.pid, ...bearer },
      graphqlGuarded: graphqlQuery('article', bearer.headers),
      graphqlPublic: graphqlQuery('publicArticle'),
    };
    const results = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
    // Every route is warmed up (JIT, connection pools, resource-api's JWKS fetch) before any is
    // measured, and the order of the runs rotates each round: no figure always comes first.
    if (options.warmupSeconds > 0) {
      for (const spec of Object.values(runs)) {
        await load({
          ...withProofs(spec, options.warmupSeconds),
          connections: options.connections,
          duration: options.warmupSeconds,
        });
      }
    }
    const names = Object.keys(runs);
    for (let round = 0; round < options.httpRounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + round) % names.length];
        // One second of this run's own load first, unmeasured: resource-api serves three of the
        // runs, and the fresh-token run leaves its old generation full of evicted cache entries.
        // Without the settle, whichever run follows it pays for that garbage (major GCs).
        const spec = withProofs(runs[name], 1 + options.httpSeconds);
        await load({ ...spec, connections: options.connections, duration: 1 });
        const result = await load({
          ...spec,
          connections: options.connections,
          duration: options.httpSeconds,
        });
        results[name].push(result);
        const failed = failures(result);
        if (failed) problems.push(`http ${name}: ${failed}`);
        log(
          `http: round ${round + 1}/${options.httpRounds} ${name}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
        );
      }
    }

    const summary = (name) => ({
      ...summarizeLoads(results[name]),
      rounds: results[name].map((r) => r.rps),
      cpuRounds: results[name].map((r) => r.perCpuSecond),
    });
    const s = Object.fromEntries(Object.keys(runs).map((k) => [k, summary(k)]));
    const httpRow = (id, name, key, refName, refKey, target) =>
      row({
        id,
        group: 'http',
        name,
        value: s[key].rps,
        unit: '/s',
        p50: s[key].p50,
        p99: s[key].p99,
        refName: `${refName} (p50 ${s[refKey].p50.toFixed(2)} / p99 ${s[refKey].p99.toFixed(2)} ms)`,
        refValue: s[refKey].rps,
        target,
        rounds: s[key].rounds,
        refRounds: s[refKey].rounds,
        cpuRounds: s[key].cpuRounds,
        refCpuRounds: s[refKey].cpuRounds,
        paired: true,
      });
    const rows = [
      httpRow(
        '3a',
        'resource-api GET /me, reused token',
        'oursReused',
        'resource-api GET /articles (public)',
        'oursPublic',
        { op: '>=', value: 0.8 },
      ),
      httpRow(
        '3b',
        'resource-api GET /me, fresh token per request',
        'oursFresh',
        'bare node:http + crypto.verify, same tokens',
        'bareFresh',
        { op: '>=', value: 0.7 },
      ),
      httpRow(
        '3c',
        'resource-api GET /me, reused token',
        'oursReused',
        'NestJS docs recipe GET /me (Express, passport-jwt, PEM)',
        'peerReused',
        { op: '>=', value: 5 },
      ),
      httpRow(
        '3d',
        'bare node:http GET /me, fresh token',
        'bareFresh',
        'bare node:http unguarded route',
        'bareUnguarded',
        null,
      ),
      httpRow(
        '3h',
        'resource-api GET /me, DPoP: fresh bound token and fresh proof per request',
        'oursDpopFresh',
        'resource-api GET /me, fresh bearer token per request',
        'oursFresh',
        { op: '>=', value: 0.45 },
      ),
      httpRow(
        '3i',
        'resource-api GET /me, DPoP: reused bound token, fresh proof per request',
        'oursDpop',
        'resource-api GET /me, reused bearer token',
        'oursReused',
        null,
      ),
      httpRow(
        '3g',
        'GraphQL query on Mercurius, guarded (@Roles), reused token',
        'graphqlGuarded',
        'the same query @Public(), same process',
        'graphqlPublic',
        { op: '>=', value: 0.9 },
      ),
    ];

    const memoryRows = [];
    for (const [key, label] of [
      ['ours', 'resource-api'],
      ['peer', 'NestJS docs recipe'],
      ['bare', 'bare verify server'],
    ]) {
      const { peakMB } = services[key].memory();
      memoryRows.push(
        row({
          id: { ours: '6a', peer: '6b', bare: '6c' }[key],
          group: 'memory',
          name: `${label} peak RSS under HTTP load`,
          value: peakMB,
          unit: 'MB',
          refName: `${label} RSS idle after start`,
          refValue: idle[key],
        }),
      );
    }
    return { rows: [...rows, ...memoryRows], problems, details: { tokens: count, results } };
  } finally {
    for (const service of Object.values(services)) {
      const status = await service.stop();
      const logged = logProblems(service.logPath);
      if (logged.length > 0)
        problems.push(`${service.name} logged ${logged.length} error line(s), first: ${logged[0]}`);
      if (status.code !== 0 && status.signal !== 'SIGTERM' && service.name !== 'nest-docs-recipe') {
        problems.push(`${service.name} exited with ${JSON.stringify(status)} on SIGTERM`);
      }
    }
    await kit.close();
  }
}

/** A run's spec; a DPoP run's with proofs made now, enough for `seconds` of load. */
function withProofs(spec, seconds) {
  if (!spec.prepare) return spec;
  const { prepare, ...rest } = spec;
  return { ...rest, ...prepare(seconds) };
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems) console.log(`problem: ${problem}`);
}
