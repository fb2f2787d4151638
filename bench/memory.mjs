// 6. Memory: RSS of resource-api and auth-api (SQLite) over a soak under steady load, read from
// /proc/<pid>/status (VmRSS; VmHWM for the peak), and the JS heap each holds after a full GC.
//
// One continuous load per service from the first request to the end of the soak:
//   1. Warm-up under the soak's own load, in slices (10 s; 3 s with --quick), until RSS stops
//      rising: the highest RSS of the last two slices (one with --quick) is within 3% of the
//      highest before them, for both services, and resource-api has seen more distinct tokens than
//      its verified-token cache holds. At most --soak-warmup-seconds (120; 9 with --quick).
//   2. Each service runs a full GC and reports its heap used (bench/lib/memory-probe.cjs, preloaded
//      with --expose-gc; SIGUSR2 asks for it), then one more slice lets the heap regrow.
//   3. The soak: --soak-seconds (60; 10 with --quick). Growth = mean RSS over its last third / mean
//      RSS over its first third (target ≤ 1.10). A third (20 s) spans at least one cycle of V8's
//      heap, whose size swings between two major GCs; a tenth would sample a phase of that cycle.
//   4. The heap used after a full GC again, still under load: the live JS heap at start and end.
//
//   node bench/memory.mjs [--quick] [--soak-seconds=60] [--soak-warmup-seconds=120]
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import {
  BENCH_DIR,
  ENTRIES,
  LOG_DIR,
  failures,
  formatTable,
  isMain,
  load,
  log,
  logProblems,
  parseOptions,
  row,
  sleep,
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
const SAMPLE_MS = 500;
/** A slice whose highest RSS is more than this above every earlier slice's is still warming up. */
const RISING = 1.03;

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const mb = (bytes) => bytes / (1024 * 1024);

/** The probe's answer file of a service (one JSON line per SIGUSR2). */
function probeFile(name) {
  return join(LOG_DIR, `${name}.memory.jsonl`);
}

/** Asks a service for a full GC and returns its `process.memoryUsage()` after it. */
async function heapAfterGc(service) {
  const file = probeFile(service.name);
  const before = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
  process.kill(service.pid, 'SIGUSR2');
  for (let waited = 0; waited < 15_000; waited += 100) {
    await sleep(100);
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
    if (lines.length > before && lines.at(-1)) return JSON.parse(lines.at(-1));
  }
  throw new Error(`${service.name} did not answer the memory probe (see ${file})`);
}

export async function run(options = parseOptions()) {
  const problems = [];
  const slice = options.quick ? 3 : 10;
  const quietSlices = options.quick ? 1 : 2;
  const minRequests = options.quick ? 0 : CACHE_ENTRIES + 2000;
  const longest = options.soakWarmupSeconds + slice + options.soakSeconds + 30;
  const tokenCount = Math.round(CACHE_ENTRIES * 1.5);
  log(`memory: minting ${tokenCount} tokens`);
  const kit = await tokenKitWithJwks(tokenCount, 3600 + longest);
  const probe = ['--expose-gc', '--require', join(BENCH_DIR, 'lib/memory-probe.cjs')];
  for (const name of ['resource-api-soak', 'auth-api-soak'])
    rmSync(probeFile(name), { force: true });
  let resource;
  let auth;
  try {
    [resource, auth] = await startServices([
      {
        name: 'resource-api-soak',
        entry: ENTRIES['resource-api'],
        args: probe,
        env: {
          AUTH_ISSUER: kit.issuer,
          AUTH_JWKS_URI: kit.jwksUri,
          AUTH_AUDIENCE: kit.audience,
          LOG_LEVEL: options.logLevel,
          BENCH_MEMORY_PROBE: probeFile('resource-api-soak'),
        },
      },
      () =>
        startAuthApi({
          name: 'auth-api-soak',
          logLevel: options.logLevel,
          args: probe,
          extraEnv: { BENCH_MEMORY_PROBE: probeFile('auth-api-soak') },
        }),
    ]);
    const services = { resource, auth };
    const emails = await registerUsers(auth, 8);
    const pool = await login(auth, emails, 8);

    // Requests sent (resource-api) and answered (auth-api), to tell the rates inside the soak.
    const count = { resource: 0, refresh: 0, login: 0 };
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
          count.resource += 1;
          return request;
        },
      },
    ];
    const counted = (requests, key) =>
      requests.map((spec) => ({
        ...spec,
        onResponse(...args) {
          count[key] += 1;
          return spec.onResponse?.apply(this, args);
        },
      }));
    const stop = new globalThis.AbortController(); // (not among the lint globals)
    const loads = Promise.all([
      load({
        url: `${resource.url}/me`,
        requests: fresh,
        connections: 8,
        duration: longest,
        signal: stop.signal,
      }),
      load({
        url: `${auth.url}/auth/refresh`,
        requests: counted(refreshRequests(pool), 'refresh'),
        connections: 4,
        duration: longest,
        signal: stop.signal,
      }),
      load({
        url: `${auth.url}/auth/login`,
        requests: counted(loginRequests(emails), 'login'),
        connections: 1,
        overallRate: 5,
        duration: longest,
        signal: stop.signal,
      }),
    ]);
    // Stops the loads however the measurement ends, so that no autocannon outlives it.
    const finish = async () => {
      stop.abort();
      return loads;
    };

    let samples = { resource: [], auth: [] };
    const sample = () => {
      for (const key of ['resource', 'auth']) samples[key].push(services[key].memory().rssMB);
    };
    const started = Date.now();
    let soak;
    try {
      // 1. Warm-up until the RSS of both stops rising.
      const peaks = { resource: [], auth: [] };
      let warmup;
      log(
        `memory: warm-up under the soak's load, until RSS stops rising (at most ${options.soakWarmupSeconds} s)`,
      );
      for (;;) {
        samples = { resource: [], auth: [] };
        for (let t = 0; t < slice * 1000; t += SAMPLE_MS) {
          await sleep(SAMPLE_MS);
          sample();
        }
        for (const key of ['resource', 'auth']) peaks[key].push(Math.max(...samples[key]));
        const elapsed = (Date.now() - started) / 1000;
        const quiet = ['resource', 'auth'].every((key) => {
          const list = peaks[key];
          if (list.length <= quietSlices) return false;
          const before = Math.max(...list.slice(0, -quietSlices));
          return list.slice(-quietSlices).every((peak) => peak <= before * RISING);
        });
        if ((quiet && count.resource >= minRequests) || elapsed >= options.soakWarmupSeconds) {
          warmup = { seconds: elapsed, plateau: quiet, peaks };
          break;
        }
      }
      // 2. Heap after a full GC, then one slice for the heap to grow back to its usual size.
      const heapStart = { resource: await heapAfterGc(resource), auth: await heapAfterGc(auth) };
      await sleep(slice * 1000);
      warmup.seconds = (Date.now() - started) / 1000;
      log(
        `memory: highest RSS of each ${slice} s slice: resource-api ${warmup.peaks.resource.map((v) => v.toFixed(0)).join(' ')} MB; auth-api ${warmup.peaks.auth.map((v) => v.toFixed(0)).join(' ')} MB`,
      );
      log(
        `memory: warm-up ${warmup.seconds.toFixed(0)} s (${warmup.plateau ? 'RSS stopped rising' : 'RSS still rising, stopped at the limit'}); ${options.soakSeconds} s soak`,
      );

      // 3. The soak.
      samples = { resource: [], auth: [] };
      const at = { ...count, time: Date.now() };
      sample();
      for (let t = 0; t < options.soakSeconds * 1000; t += SAMPLE_MS) {
        await sleep(SAMPLE_MS);
        sample();
      }
      const seconds = (Date.now() - at.time) / 1000;
      const rate = (key) => (count[key] - at[key]) / seconds;
      // 4. Heap after a full GC at the end, still under the same load.
      const heapEnd = { resource: await heapAfterGc(resource), auth: await heapAfterGc(auth) };
      soak = {
        warmup,
        heapStart,
        heapEnd,
        rates: { resource: rate('resource'), refresh: rate('refresh'), login: rate('login') },
      };
    } finally {
      const [resourceResult, refreshResult, loginResult] = await finish();
      for (const [label, result] of [
        ['resource-api /me', resourceResult],
        ['auth-api refresh', refreshResult],
        ['auth-api login', loginResult],
      ]) {
        const failed = failures(result);
        if (failed) problems.push(`soak ${label}: ${failed}`);
      }
    }

    const { warmup, heapStart, heapEnd, rates } = soak;
    const warm = `${warmup.seconds.toFixed(0)} s warm-up${warmup.plateau ? '' : ' (RSS still rising)'}`;
    const rows = [];
    for (const [key, rssId, heapId, label, traffic] of [
      ['resource', '6f', '6h', 'resource-api', `${Math.round(rates.resource)} req/s fresh tokens`],
      [
        'auth',
        '6g',
        '6i',
        'auth-api (SQLite)',
        `${Math.round(rates.refresh)} refresh/s + ${Math.round(rates.login)} login/s`,
      ],
    ]) {
      const series = samples[key];
      const third = Math.max(1, Math.floor(series.length / 3));
      rows.push(
        row({
          id: rssId,
          group: 'memory',
          name: `${label} RSS, last third of a ${options.soakSeconds} s soak after ${warm} (${traffic})`,
          value: mean(series.slice(-third)),
          unit: 'MB',
          refName: `same, first third (peak in soak ${Math.max(...series).toFixed(0)} MB)`,
          refValue: mean(series.slice(0, third)),
          target: { op: '<=', value: 1.1 },
        }),
        row({
          id: heapId,
          group: 'memory',
          name: `${label} JS heap used after a full GC, end of soak`,
          value: mb(heapEnd[key].heapUsed),
          unit: 'MB',
          refName: `same, start of soak (RSS after the GC ${mb(heapStart[key].rss).toFixed(0)} → ${mb(heapEnd[key].rss).toFixed(0)} MB)`,
          refValue: mb(heapStart[key].heapUsed),
        }),
      );
    }
    return { rows, problems, details: { samples, ...soak } };
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
