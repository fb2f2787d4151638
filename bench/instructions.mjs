// 3e/3f. Rows 3a and 3b again, counted in machine instructions instead of seconds: resource-api
// and the bare verify server each run under valgrind's callgrind, and the instructions their main
// thread executes per request are counted over a fixed number of requests after a warm-up.
//
// Why: throughput on a shared or virtualised machine swings by tens of percent between runs, and
// a VM can slow one kind of code more than another (the same build gave 3b 0.77-0.81x on one VM
// and 0.47-0.72x on another). An instruction count is the same on every run of the same build,
// whatever the machine is doing, so it tells whether our code grew or the platform did. It does
// not weigh cache misses or branch mispredictions, so it is a diagnosis, not a target.
//
// Opt-in (callgrind runs code ~50x slower): `npm run bench -- --instructions` or
// `node bench/instructions.mjs`. Needs valgrind (callgrind_control comes with it).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import {
  ENTRIES,
  HOST,
  isMain,
  formatTable,
  log,
  parseOptions,
  row,
  startService,
} from './lib/common.mjs';
import { bareServerEnv, resourceApiEnv, tokenKitWithJwks } from './lib/tokens.mjs';

const run$ = promisify(execFile);

/**
 * Requests counted per measurement, and warm-up batches of that size before it: with fewer, the
 * count still includes code V8 has not optimised yet (400 after 1,600 counted a third more).
 */
const COUNTED = 800;
const WARMUP_BATCHES = 4;
const CONCURRENCY = 4;

/** True when valgrind's callgrind can be used here. */
export async function callgrindAvailable() {
  try {
    await run$('valgrind', ['--version']);
    await run$('which', ['callgrind_control']);
    return true;
  } catch {
    return false;
  }
}

/**
 * vgdb names its FIFOs after USER and HOST: the server (under valgrind) and callgrind_control
 * must see the same values, and HOST is also the address the services listen on.
 */
const VGDB_ENV = { USER: 'bench', LOGNAME: 'bench', HOST };

/**
 * Starts `entry` under callgrind with counting off, warms it up, counts `counted` requests made by
 * `request(i)`, and returns the main thread's instructions per request (and the other threads').
 */
async function countInstructions({ name, entry, env, counted, request }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  const outFile = join(dir, 'callgrind.out');
  let service;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    service = await startService({
      name: `${name}-callgrind`,
      entry,
      env: { ...VGDB_ENV, ...env },
      // Start-up under valgrind is ~50x slower than without.
      timeoutMs: 180_000,
      launcher: [
        'valgrind',
        '--tool=callgrind',
        // V8 writes machine code at run time: valgrind must notice code it has already translated change.
        '--smc-check=all-non-file',
        '--instr-atstart=no',
        '--separate-threads=yes',
        `--callgrind-out-file=${outFile}`,
      ],
    });
    const control = (...args) =>
      run$('callgrind_control', [...args, String(service.pid)], {
        env: { ...process.env, ...VGDB_ENV },
      });
    let next = 0;
    const batch = async () => {
      const workers = Array.from({ length: CONCURRENCY }, async () => {
        for (let i = 0; i < counted / CONCURRENCY; i++)
          await httpGet(agent, service.port, request(next++));
      });
      await Promise.all(workers);
    };
    for (let i = 0; i < WARMUP_BATCHES; i++) await batch();
    await control('--instr=on');
    await batch();
    await control('--instr=off');
    await control('--dump');
    // With --separate-threads, the dump is one file per thread: <out>.1-01 is the main thread.
    const totals = {};
    for (const file of readdirSync(dir)) {
      const match = /\.1-(\d+)$/.exec(file);
      const total = /^totals: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'));
      if (match && total) totals[match[1]] = Number(total[1]);
    }
    if (!totals['01']) throw new Error(`callgrind wrote no main-thread count for ${entry}`);
    const others = Object.entries(totals)
      .filter(([thread]) => thread !== '01')
      .reduce((sum, [, total]) => sum + total, 0);
    return { main: totals['01'] / counted, otherThreads: others / counted };
  } finally {
    agent.destroy();
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function httpGet(agent, port, { path, token }) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: HOST, port, path, agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (response) => {
        response.resume();
        response.on('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`${path} answered ${response.statusCode}`)),
        );
      },
    );
    request.on('error', reject);
    request.setTimeout(60_000, () => request.destroy(new Error(`${path} timed out`)));
  });
}

export async function run(options = parseOptions()) {
  if (!(await callgrindAvailable())) {
    return { rows: [], problems: ['instructions: not run, valgrind (callgrind) is not installed'] };
  }
  // Every request of a fresh-token run, warm-up included, has a token never seen before: none can
  // be a hit in resource-api's verified-token cache.
  const kit = await tokenKitWithJwks(COUNTED * (WARMUP_BATCHES + 1) + 1);
  const reused = kit.mint('reused');
  const fresh = (i) => ({ path: '/me', token: kit.tokens[i] });
  const ours = { entry: ENTRIES['resource-api'], env: resourceApiEnv(kit, options.logLevel) };
  const bare = { entry: ENTRIES.bare, env: bareServerEnv(kit) };
  const runs = {
    oursReused: { ...ours, request: () => ({ path: '/me', token: reused }) },
    oursPublic: { ...ours, request: () => ({ path: '/articles' }) },
    oursFresh: { ...ours, request: fresh },
    bareFresh: { ...bare, request: fresh },
  };
  const counts = {};
  try {
    for (const [name, spec] of Object.entries(runs)) {
      log(`instructions: ${name}, ${COUNTED} requests counted under callgrind`);
      counts[name] = await countInstructions({ name, ...spec, counted: COUNTED });
      log(
        `instructions: ${name}: ${Math.round(counts[name].main).toLocaleString('en-US')} a request on the main thread`,
      );
    }
  } finally {
    await kit.close();
  }
  const instructionRow = (id, name, key, refName, refKey) =>
    row({
      id,
      group: 'instructions',
      name,
      value: Math.round(counts[key].main),
      unit: ' instr',
      refName,
      refValue: Math.round(counts[refKey].main),
      note: `other threads: ${Math.round(counts[key].otherThreads)} vs ${Math.round(counts[refKey].otherThreads)} a request`,
    });
  return {
    rows: [
      instructionRow(
        '3e',
        'resource-api GET /me, reused token: main-thread instructions a request',
        'oursReused',
        'resource-api GET /articles (public)',
        'oursPublic',
      ),
      instructionRow(
        '3f',
        'resource-api GET /me, fresh token: main-thread instructions a request',
        'oursFresh',
        'bare node:http + crypto.verify, same tokens',
        'bareFresh',
      ),
    ],
    details: { counted: COUNTED, warmupBatches: WARMUP_BATCHES, counts },
  };
}

if (isMain(import.meta.url)) {
  const { rows, problems } = await run(parseOptions());
  console.log(formatTable(rows));
  for (const problem of problems ?? []) console.log(`problem: ${problem}`);
}
