// 5. Growth (PostgreSQL only): login and refresh p50 with 1,000 users and sessions against the
// same with 1,000,000 (--growth-large=N to change), seeded in bulk with SQL (generate_series),
// not through the API. auth-api creates its schema by starting once on the throwaway database;
// then rows are seeded, every seeded user sharing one argon2id hash of the bench password.
// Index-backed lookups keep the cost flat: target ≤ 1.5×.
//
//   node bench/growth.mjs [--growth-large=200000]     (skipped by `npm run bench -- --quick`)
import argon2 from '@node-rs/argon2';

import {
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  median,
  parseOptions,
  row,
} from './lib/common.mjs';
import { ARGON2_PARAMS, PASSWORD, login, refreshRequests, startAuthApi } from './lib/auth-api.mjs';
import { connect, createDatabase, dropAll, dropDatabase, postgresAvailable } from './lib/pg.mjs';

const BATCH = 250_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Seeds users and sessions numbered [from, to) in batches; returns the seconds it took. */
async function seed(client, from, to, passwordHash) {
  const started = Date.now();
  const now = Date.now();
  for (let start = from; start < to; start += BATCH) {
    const end = Math.min(to, start + BATCH) - 1;
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO users (id, email, password_hash, roles, disabled, failed_logins, locked_until, created_at, updated_at)
       SELECT md5('u' || i)::uuid::text, 'seed-' || i || '@bench.test', $1, '["user"]', false, 0, NULL, $2, $2
       FROM generate_series($3::int, $4::int) AS i`,
      [passwordHash, now, start, end],
    );
    await client.query(
      `INSERT INTO sessions (id, user_id, salt, generation, rotations, created_at, last_used_at, expires_at,
                             revoked_at, revoked_reason, user_agent, ip)
       SELECT md5('s' || i)::uuid::text, md5('u' || i)::uuid::text, substr(md5('salt' || i), 1, 22), 0, '[]', $1, $1, $2,
              NULL, NULL, 'bench-seed', '127.0.0.1'
       FROM generate_series($3::int, $4::int) AS i`,
      [now, now + 30 * DAY_MS, start, end],
    );
    await client.query('COMMIT');
    if (to - from > BATCH)
      log(
        `growth: seeded ${end + 1 - from} of ${to - from} users and sessions (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      );
  }
  await client.query('ANALYZE users');
  await client.query('ANALYZE sessions');
  return (Date.now() - started) / 1000;
}

/** Login p50 (one connection, seeded users spread over the table) and refresh p50 (one session chain). */
async function latencies(service, seeded, seconds) {
  const random = () => Math.floor(Math.random() * seeded);
  const logins = await load({
    url: `${service.url}/auth/login`,
    connections: 1,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest(request) {
          request.body = JSON.stringify({
            email: `seed-${random()}@bench.test`,
            password: PASSWORD,
          });
          return request;
        },
      },
    ],
  });
  const pool = await login(service, [`seed-${random()}@bench.test`], 1);
  const refreshes = await load({
    url: `${service.url}/auth/refresh`,
    connections: 1,
    duration: seconds,
    requests: refreshRequests(pool),
  });
  return { logins, refreshes };
}

export async function run(options = parseOptions()) {
  const problems = [];
  if (!(await postgresAvailable(options.databaseUrl))) {
    return {
      rows: [],
      problems: [`PostgreSQL is not reachable at ${options.databaseUrl}: growth not measured`],
      details: {},
    };
  }
  const sizes = { small: options.growthSmall, large: options.growthLarge };
  const seconds = options.quick ? 2 : 3;
  const rounds = Math.max(1, options.httpRounds);
  // Two databases and two auth-api processes, measured alternately round after round: the
  // comparison is paired in time, so the drift of a shared machine does not land on one side.
  const setups = {};
  try {
    const passwordHash = await argon2.hash(PASSWORD, {
      algorithm: argon2.Algorithm.Argon2id,
      ...ARGON2_PARAMS,
    });
    for (const [size, count] of Object.entries(sizes)) {
      const database = await createDatabase(options.databaseUrl, `growth_${size}`);
      setups[size] = { database, count };
      log(`growth: database ${database.name}; auth-api creates the schema`);
      setups[size].service = await startAuthApi({
        name: `auth-api-growth-${size}`,
        databaseUrl: database.url,
        logLevel: options.logLevel,
      });
      setups[size].client = await connect(database.url);
      log(`growth: seeding ${count.toLocaleString('en-US')} users and sessions`);
      setups[size].seedSeconds = await seed(setups[size].client, 0, count, passwordHash);
      log(`growth: seeded in ${setups[size].seedSeconds.toFixed(1)} s`);
      await latencies(setups[size].service, count, 1); // warm-up
    }
    const results = { small: [], large: [] };
    for (let round = 0; round < rounds; round++) {
      for (const size of ['small', 'large']) {
        const result = await latencies(setups[size].service, setups[size].count, seconds);
        results[size].push(result);
        for (const [name, r] of Object.entries(result)) {
          if (r.non2xx || r.errors)
            problems.push(`growth ${size} ${name}: ${JSON.stringify(r.statuses)}`);
        }
        log(
          `growth: round ${round + 1}/${rounds} ${size}: login p50 ${result.logins.p50.toFixed(2)} ms, refresh p50 ${result.refreshes.p50.toFixed(2)} ms`,
        );
      }
    }
    const label = (n) => n.toLocaleString('en-US');
    const pick = (size, kind, stat) => results[size].map((r) => r[kind][stat]);
    const growthRow = (id, kind, noun) =>
      row({
        id,
        group: 'growth',
        name: `${kind === 'logins' ? 'login' : 'refresh'} p50, ${label(sizes.large)} ${noun} (PostgreSQL)`,
        value: median(pick('large', kind, 'p50')),
        unit: 'ms',
        p50: median(pick('large', kind, 'p50')),
        p99: median(pick('large', kind, 'p99')),
        refName: `same with ${label(sizes.small)} ${noun}`,
        refValue: median(pick('small', kind, 'p50')),
        target: { op: '<=', value: 1.5 },
        rounds: pick('large', kind, 'p50'),
        refRounds: pick('small', kind, 'p50'),
        paired: true,
      });
    const rows = [growthRow('5a', 'logins', 'users'), growthRow('5b', 'refreshes', 'sessions')];
    const seedSeconds = Object.fromEntries(
      Object.entries(setups).map(([size, s]) => [size, s.seedSeconds]),
    );
    return { rows, problems, details: { sizes, seedSeconds, results } };
  } finally {
    for (const setup of Object.values(setups)) {
      await setup.client?.end().catch(() => {});
      if (setup.service) {
        await setup.service.stop();
        const logged = logProblems(setup.service.logPath);
        if (logged.length)
          problems.push(
            `auth-api (growth) logged ${logged.length} error line(s), first: ${logged[0]}`,
          );
      }
      await dropDatabase(options.databaseUrl, setup.database.name).catch((error) =>
        problems.push(`could not drop ${setup.database.name}: ${error.message}`),
      );
    }
    await dropAll(options.databaseUrl);
  }
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems) console.log(`problem: ${problem}`);
}
