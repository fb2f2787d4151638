// 4. auth-api as built (dist/apps/auth-api/main.js):
//   - login throughput against the argon2id verify rate measured in this process, same run, same
//     concurrency, on the libuv thread pool (@node-rs/argon2, OWASP params m=19456, t=2, p=1);
//   - p99 of GET /.well-known/jwks.json and of POST /auth/refresh while logins saturate the
//     hasher, against their idle p99 (hashing must not block the event loop);
//   - refresh throughput on SQLite and on PostgreSQL (a throwaway database, dropped after).
//
//   node bench/auth-api.mjs [--quick]
import argon2 from '@node-rs/argon2';

import {
  failures,
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  median,
  parseOptions,
  row,
  sleep,
  summarizeLoads,
} from './lib/common.mjs';
import {
  ARGON2_PARAMS,
  PASSWORD,
  login,
  loginRequests,
  refreshRequests,
  registerUsers,
  startAuthApi,
} from './lib/auth-api.mjs';
import { createDatabase, dropAll, dropDatabase, postgresAvailable } from './lib/pg.mjs';

/** argon2id verifications per second with `concurrency` calls in flight, for `seconds`. */
export async function argon2VerifyRate(concurrency, seconds) {
  const hash = await argon2.hash(PASSWORD, {
    algorithm: argon2.Algorithm.Argon2id,
    ...ARGON2_PARAMS,
  });
  const end = Date.now() + seconds * 1000;
  let count = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        if (!(await argon2.verify(hash, PASSWORD))) throw new Error('argon2 verify failed');
        count++;
      }
    }),
  );
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** {@link summarizeLoads}, keeping the rounds themselves for the JSON details. */
function summarize(results) {
  return { ...summarizeLoads(results), rounds: results };
}

export async function run(options = parseOptions()) {
  const seconds = options.authSeconds;
  const rows = [];
  const problems = [];
  const details = {};
  const note = (label, result) => {
    const failed = failures(result);
    if (failed) problems.push(`auth-api ${label}: ${failed}`);
  };

  // ---- SQLite ----------------------------------------------------------------------------------
  log('auth-api: starting on SQLite');
  const sqlite = await startAuthApi({ name: 'auth-api-sqlite', logLevel: options.logLevel });
  let refreshSqlite;
  try {
    const idleRss = sqlite.memory().rssMB;
    const emails = await registerUsers(sqlite, 16);
    // Rounds, figure and reference back to back each time: the ratios are medians of pairs.
    const rounds = options.httpRounds;
    const sessions = await login(sqlite, emails, 2 * rounds);
    const jwksUrl = `${sqlite.url}/.well-known/jwks.json`;

    const argonRates = [];
    const loginRuns = [];
    await load({
      url: `${sqlite.url}/auth/login`,
      requests: loginRequests(emails),
      connections: options.loginConnections,
      duration: 1,
    });
    const collected = [];
    for (let round = 0; round < rounds; round++) {
      log(
        `auth-api: round ${round + 1}/${rounds}: argon2id verify rate in this process, then login throughput`,
      );
      argonRates.push(await argon2VerifyRate(options.loginConnections, seconds));
      const logins = await load({
        url: `${sqlite.url}/auth/login`,
        pid: sqlite.pid,
        requests: loginRequests(emails, collected),
        connections: options.loginConnections,
        duration: seconds,
      });
      note('login', logins);
      loginRuns.push(logins);
    }
    const logins = summarize(loginRuns);
    rows.push(
      row({
        id: '4a',
        group: 'auth-api',
        name: `login throughput (SQLite, ${options.loginConnections} connections)`,
        value: logins.rps,
        unit: '/s',
        p50: logins.p50,
        p99: logins.p99,
        refName: `argon2id verify rate, this process, ${options.loginConnections} in flight`,
        refValue: median(argonRates),
        target: { op: '>=', value: 0.8 },
        rounds: loginRuns.map((r) => r.rps),
        refRounds: argonRates,
        paired: true,
      }),
    );

    const probeSeconds = seconds;
    const probes = (pool) =>
      Promise.all([
        load({ url: jwksUrl, connections: 1, overallRate: 100, duration: probeSeconds }),
        load({
          url: `${sqlite.url}/auth/refresh`,
          requests: refreshRequests(pool),
          connections: 1,
          overallRate: 40,
          duration: probeSeconds,
        }),
      ]);
    const idleRuns = { jwks: [], refresh: [] };
    const busyRuns = { jwks: [], refresh: [] };
    const saturatedRuns = [];
    for (let round = 0; round < rounds; round++) {
      log(
        `auth-api: round ${round + 1}/${rounds}: JWKS and refresh p99, idle, then while logins saturate the hasher`,
      );
      const [jwksIdle, refreshIdle] = await probes([sessions.pop()]);
      note('idle jwks probe', jwksIdle);
      note('idle refresh probe', refreshIdle);
      idleRuns.jwks.push(jwksIdle);
      idleRuns.refresh.push(refreshIdle);
      const saturation = load({
        url: `${sqlite.url}/auth/login`,
        requests: loginRequests(emails),
        connections: options.loginConnections,
        duration: probeSeconds + 1.5,
      });
      await sleep(750); // logins in full swing before the probes start
      const [jwksBusy, refreshBusy] = await probes([sessions.pop()]);
      const saturated = await saturation;
      note('saturating logins', saturated);
      note('busy jwks probe', jwksBusy);
      note('busy refresh probe', refreshBusy);
      busyRuns.jwks.push(jwksBusy);
      busyRuns.refresh.push(refreshBusy);
      saturatedRuns.push(saturated);
    }
    const jwksIdle = summarize(idleRuns.jwks);
    const refreshIdle = summarize(idleRuns.refresh);
    const jwksBusy = summarize(busyRuns.jwks);
    const refreshBusy = summarize(busyRuns.refresh);
    const saturated = summarize(saturatedRuns);
    rows.push(
      row({
        id: '4b',
        group: 'auth-api',
        name: 'GET /.well-known/jwks.json p99, logins saturating',
        value: jwksBusy.p99,
        unit: 'ms',
        p50: jwksBusy.p50,
        p99: jwksBusy.p99,
        refName: `same, idle (p50 ${jwksIdle.p50.toFixed(2)} ms)`,
        refValue: jwksIdle.p99,
        target: { op: '<=', value: 3 },
        rounds: busyRuns.jwks.map((r) => r.p99),
        refRounds: idleRuns.jwks.map((r) => r.p99),
        paired: true,
      }),
      row({
        id: '4c',
        group: 'auth-api',
        name: 'POST /auth/refresh p99, logins saturating',
        value: refreshBusy.p99,
        unit: 'ms',
        p50: refreshBusy.p50,
        p99: refreshBusy.p99,
        refName: `same, idle (p50 ${refreshIdle.p50.toFixed(2)} ms)`,
        refValue: refreshIdle.p99,
        target: { op: '<=', value: 3 },
        rounds: busyRuns.refresh.map((r) => r.p99),
        refRounds: idleRuns.refresh.map((r) => r.p99),
        paired: true,
      }),
    );

    log('auth-api: refresh throughput on SQLite');
    const pool = collected.slice();
    if (pool.length < options.connections * 2)
      pool.push(...(await login(sqlite, emails, options.connections * 2)));
    await load({
      url: `${sqlite.url}/auth/refresh`,
      requests: refreshRequests(pool),
      connections: options.connections,
      duration: 1,
    });
    refreshSqlite = await load({
      url: `${sqlite.url}/auth/refresh`,
      pid: sqlite.pid,
      requests: refreshRequests(pool),
      connections: options.connections,
      duration: seconds,
    });
    note('refresh (SQLite)', refreshSqlite);
    const jwksMax = await load({
      url: jwksUrl,
      pid: sqlite.pid,
      connections: options.connections,
      duration: Math.min(seconds, 2),
    });
    note('jwks', jwksMax);
    rows.push(
      row({
        id: '4d',
        group: 'auth-api',
        name: `refresh throughput, SQLite (${options.connections} sessions in parallel)`,
        value: refreshSqlite.rps,
        unit: '/s',
        p50: refreshSqlite.p50,
        p99: refreshSqlite.p99,
        refName: 'GET /.well-known/jwks.json throughput, same process',
        refValue: jwksMax.rps,
      }),
    );
    rows.push(
      row({
        id: '6d',
        group: 'memory',
        name: 'auth-api (SQLite) peak RSS under login + refresh load',
        value: sqlite.memory().peakMB,
        unit: 'MB',
        refName: 'auth-api (SQLite) RSS idle after start',
        refValue: idleRss,
      }),
    );
    details.sqlite = {
      argonRates,
      logins,
      jwksIdle,
      refreshIdle,
      jwksBusy,
      refreshBusy,
      saturated,
      refresh: refreshSqlite,
      jwksMax,
    };
  } finally {
    await sqlite.stop();
    const logged = logProblems(sqlite.logPath);
    if (logged.length)
      problems.push(`auth-api (SQLite) logged ${logged.length} error line(s), first: ${logged[0]}`);
  }

  // ---- PostgreSQL ----------------------------------------------------------------------------
  if (!(await postgresAvailable(options.databaseUrl))) {
    problems.push(
      `PostgreSQL is not reachable at ${options.databaseUrl}: refresh on PostgreSQL not measured`,
    );
    return { rows, problems, details };
  }
  const database = await createDatabase(options.databaseUrl, 'auth');
  let postgres;
  try {
    log(`auth-api: starting on PostgreSQL (database ${database.name})`);
    postgres = await startAuthApi({
      name: 'auth-api-postgres',
      databaseUrl: database.url,
      logLevel: options.logLevel,
    });
    const idleRss = postgres.memory().rssMB;
    const emails = await registerUsers(postgres, 4);
    const pool = await login(postgres, emails, options.connections * 2);
    log('auth-api: refresh throughput on PostgreSQL');
    await load({
      url: `${postgres.url}/auth/refresh`,
      requests: refreshRequests(pool),
      connections: options.connections,
      duration: 1,
    });
    const refreshPg = await load({
      url: `${postgres.url}/auth/refresh`,
      pid: postgres.pid,
      requests: refreshRequests(pool),
      connections: options.connections,
      duration: seconds,
    });
    note('refresh (PostgreSQL)', refreshPg);
    rows.push(
      row({
        id: '4e',
        group: 'auth-api',
        name: `refresh throughput, PostgreSQL (${options.connections} sessions in parallel)`,
        value: refreshPg.rps,
        unit: '/s',
        p50: refreshPg.p50,
        p99: refreshPg.p99,
        refName: 'refresh throughput, SQLite, same run',
        refValue: refreshSqlite?.rps,
      }),
      row({
        id: '6e',
        group: 'memory',
        name: 'auth-api (PostgreSQL) peak RSS under refresh load',
        value: postgres.memory().peakMB,
        unit: 'MB',
        refName: 'auth-api (PostgreSQL) RSS idle after start',
        refValue: idleRss,
      }),
    );
    details.postgres = { refresh: refreshPg };
  } finally {
    if (postgres) {
      await postgres.stop();
      const logged = logProblems(postgres.logPath);
      if (logged.length)
        problems.push(
          `auth-api (PostgreSQL) logged ${logged.length} error line(s), first: ${logged[0]}`,
        );
    }
    await dropDatabase(options.databaseUrl, database.name).catch((error) =>
      problems.push(`could not drop ${database.name}: ${error.message}`),
    );
    await dropAll(options.databaseUrl);
  }
  return { rows, problems, details };
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems) console.log(`problem: ${problem}`);
}
