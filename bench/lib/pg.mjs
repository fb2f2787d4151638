// Throwaway PostgreSQL databases for the benchmarks: created with a unique name, dropped after.
import pg from 'pg';

const created = new Set();

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin(url, sql) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Whether PostgreSQL answers at `url` (the maintenance database). */
export async function postgresAvailable(url) {
  try {
    await admin(url, 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** Creates `jwt_bench_<pid>_<random>` and returns its URL. */
export async function createDatabase(url, label) {
  const name = `jwt_bench_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin(url, `CREATE DATABASE ${name}`);
  created.add(name);
  return { name, url: withDatabase(url, name) };
}

export async function dropDatabase(url, name) {
  await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  created.delete(name);
}

/** Drops every database this process created and has not dropped yet (on errors and Ctrl-C). */
export async function dropAll(url) {
  for (const name of [...created]) {
    await dropDatabase(url, name).catch(() => {});
  }
}

export async function connect(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
