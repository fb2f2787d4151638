// 6. Memory: RSS of resource-api and auth-api (SQLite) over a soak under steady load (60 s; 10 s
// with --quick), read from /proc/<pid>/status (VmRSS; VmHWM for the peak). Before the soak a
// warm-up pushes more distinct tokens through resource-api than its verified-token cache holds,
// so that the cache is full: what the soak then sees is growth, not filling.
// (--quick warms up for 2 s only, so its cache may still be filling during its 10 s soak.)
// Growth = mean RSS over the last tenth of the soak / mean RSS over its first tenth; target ≤ 1.10.
//
//   node bench/memory.mjs [--quick] [--soak-seconds=60]
import {
  ENTRIES,
  failures,
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  median,
  parseOptions,
  row,
  startServices,
} from './lib/common.mjs';
import {
  login,
  loginRequests,
  refreshRequests,
  registerUsers,
  startAuthApi,
} from './lib/auth-api.mjs';
import { tokenKitWithJwks } from './lib/tokens.mjs';

const CACHE_ENTRIES = 10_000; // resource-api's verified-token cache (the library default)

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export async function run(options = parseOptions()) {
  const problems = [];
  const tokenCount = Math.round(CACHE_ENTRIES * 1.5);
  log(`memory: minting ${tokenCount} tokens`);
  const kit = await tokenKitWithJwks(tokenCount, 3600 + options.soakSeconds);
  let resource;
  let auth;
  try {
    [resource, auth] = await startServices([
      {
        name: 'resource-api-soak',
        entry: ENTRIES['resource-api'],
        env: {
          AUTH_ISSUER: kit.issuer,
          AUTH_JWKS_URI: kit.jwksUri,
          AUTH_AUDIENCE: kit.audience,
          LOG_LEVEL: options.logLevel,
        },
      },
      () => startAuthApi({ name: 'auth-api-soak', logLevel: options.logLevel }),
    ]);
    const emails = await registerUsers(auth, 8);
    const pool = await login(auth, emails, 16);

    let next = 0;
    const fresh = [
      {
        method: 'GET',
        path: '/me',
        setupRequest(request) {
          request.headers = {
            ...request.headers,
            authorization: `Bearer ${kit.tokens[next++ % kit.tokens.length]}`,
          };
          return request;
        },
      },
    ];
    const resourceLoad = (extra) =>
      load({ url: `${resource.url}/me`, requests: fresh, connections: 8, ...extra });
    const authLoad = (extra) =>
      Promise.all([
        load({
          url: `${auth.url}/auth/refresh`,
          requests: refreshRequests(pool),
          connections: 4,
          ...extra,
        }),
        load({
          url: `${auth.url}/auth/login`,
          requests: loginRequests(emails),
          connections: 1,
          overallRate: 5,
          ...extra,
        }),
      ]);

    // Warm-up, one service at a time so that each runs at full speed. The full suite fills the
    // verified-token cache (more distinct tokens than it holds); --quick stops after 2 s.
    log(
      options.quick ? 'memory: warm-up (2 s)' : 'memory: warm-up (fills the verified-token cache)',
    );
    await resourceLoad(options.quick ? { duration: 2 } : { amount: CACHE_ENTRIES + 2000 });
    await authLoad({ duration: options.quick ? 1 : 5 });

    log(`memory: ${options.soakSeconds} s soak`);
    const samples = { resource: [], auth: [] };
    const sample = () => {
      samples.resource.push(resource.memory().rssMB);
      samples.auth.push(auth.memory().rssMB);
    };
    sample();
    const timer = setInterval(sample, 500);
    const [resourceResult, [refreshResult, loginResult]] = await Promise.all([
      resourceLoad({ duration: options.soakSeconds }),
      authLoad({ duration: options.soakSeconds }),
    ]);
    clearInterval(timer);
    sample();
    for (const [label, result] of [
      ['resource-api /me', resourceResult],
      ['auth-api refresh', refreshResult],
      ['auth-api login', loginResult],
    ]) {
      const failed = failures(result);
      if (failed) problems.push(`soak ${label}: ${failed}`);
    }

    const rows = [];
    for (const [key, service, label, traffic] of [
      [
        'resource',
        resource,
        'resource-api',
        `${Math.round(resourceResult.rps)} req/s fresh tokens`,
      ],
      [
        'auth',
        auth,
        'auth-api (SQLite)',
        `${Math.round(refreshResult.rps)} refresh/s + ${Math.round(loginResult.rps)} login/s`,
      ],
    ]) {
      const series = samples[key];
      const tenth = Math.max(1, Math.floor(series.length / 10));
      const start = mean(series.slice(0, tenth));
      const end = mean(series.slice(-tenth));
      rows.push(
        row({
          id: key === 'resource' ? '6f' : '6g',
          group: 'memory',
          name: `${label} RSS at end of ${options.soakSeconds} s soak (${traffic})`,
          value: end,
          unit: 'MB',
          refName: `same, start of soak (peak ${service.memory().peakMB.toFixed(0)} MB)`,
          refValue: start,
          target: { op: '<=', value: 1.1 },
        }),
      );
    }
    return {
      rows,
      problems,
      details: {
        samples,
        medianRss: { resource: median(samples.resource), auth: median(samples.auth) },
        resourceResult,
        refreshResult,
        loginResult,
      },
    };
  } finally {
    for (const service of [resource, auth]) {
      if (!service) continue;
      await service.stop();
      const logged = logProblems(service.logPath);
      if (logged.length)
        problems.push(`${service.name} logged ${logged.length} error line(s), first: ${logged[0]}`);
    }
    await kit.close();
  }
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems) console.log(`problem: ${problem}`);
}
