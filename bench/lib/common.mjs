// Shared helpers of the benchmark suite: options, statistics, child services, load generation.
// Plain Node ESM, no build step. Everything listens on and targets 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH_DIR);
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const LOG_DIR = join(RESULTS_DIR, 'logs');
export const HOST = '127.0.0.1';

export const ENTRIES = {
  'auth-api': join(ROOT, 'dist/apps/auth-api/main.js'),
  'resource-api': join(ROOT, 'dist/apps/resource-api/main.js'),
  bare: join(BENCH_DIR, 'bare-verify-server.mjs'),
  peer: join(BENCH_DIR, 'peers/nest-docs-recipe/main.mjs'),
  graphql: join(BENCH_DIR, 'graphql-server.mjs'),
};

const require = createRequire(import.meta.url);

/**
 * Loads a CommonJS dev dependency (autocannon, fast-jwt), or returns null when it is not
 * installed. `require` also honours NODE_PATH, which lets a trial run use a throwaway install.
 */
export function optionalRequire(name) {
  try {
    return require(name);
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(`'${name}'`))
      return null;
    throw error;
  }
}

export function requireDependency(name) {
  const module = optionalRequire(name);
  if (!module) {
    throw new Error(
      `${name} is not installed: npm i -D ${name} (it is a devDependency of the benchmark suite)`,
    );
  }
  return module;
}

/** True when this module is the script node was started with. */
export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && importMetaUrl === pathToFileURL(process.argv[1]).href;
}

// ---------------------------------------------------------------------------------------------
// Options

/**
 * The suite's settings. `--quick`: fewer and shorter rounds (whole suite < 2 min);
 * default: the full suite (< 10 min on 2 cores).
 */
export function parseOptions(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick');
  const value = (name, fallback) => {
    const prefix = `--${name}=`;
    const found = argv.find((a) => a.startsWith(prefix));
    return found === undefined ? fallback : found.slice(prefix.length);
  };
  const only = value('only', '');
  return {
    quick,
    only: only ? only.split(',') : null,
    logLevel: value('log-level', 'warn'),
    // Rows 3e/3f: instructions a request under callgrind (bench/instructions.mjs); opt-in.
    instructions: argv.includes('--instructions'),
    // micro-benchmarks
    microRounds: Number(value('micro-rounds', quick ? 8 : 20)),
    microRoundMs: Number(value('micro-round-ms', quick ? 120 : 200)),
    // HTTP loads
    httpRounds: Number(value('http-rounds', quick ? 1 : 3)),
    httpSeconds: Number(value('http-seconds', quick ? 2 : 4)),
    warmupSeconds: Number(value('warmup-seconds', quick ? 1 : 1)),
    connections: Number(value('connections', 10)),
    // auth-api
    authSeconds: Number(value('auth-seconds', quick ? 2 : 5)),
    loginConnections: Number(value('login-connections', 8)),
    // growth
    growthLarge: Number(value('growth-large', 1_000_000)),
    growthSmall: Number(value('growth-small', 1_000)),
    // memory
    soakSeconds: Number(value('soak-seconds', quick ? 10 : 60)),
    // the longest warm-up before the soak (it ends earlier when RSS stops rising)
    soakWarmupSeconds: Number(value('soak-warmup-seconds', quick ? 9 : 120)),
    databaseUrl: value(
      'database-url',
      process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Percentile by nearest rank of an unsorted list (copied, not mutated). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** (max - min) / median of a set of rounds: how far apart the repeated measurements were. */
export function spread(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length < 2) return 0;
  return (Math.max(...finite) - Math.min(...finite)) / median(finite);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Rows of the result table

/**
 * One figure of the table, next to its reference measured in the same run.
 * `target`: `{ op: '>=' | '<=', value }` on the ratio, or null for figures reported as information.
 */
export function row({
  id,
  group,
  name,
  value,
  unit,
  p50,
  p99,
  refName,
  refValue,
  target = null,
  rounds,
  refRounds,
  paired = false,
  cpuRounds,
  refCpuRounds,
  note,
}) {
  let ratio =
    Number.isFinite(value) && Number.isFinite(refValue) && refValue !== 0 ? value / refValue : NaN;
  // Paired rounds (figure and reference measured back to back, round after round): the median of
  // the per-round ratios, which cancels the drift of a shared machine better than a ratio of medians.
  if (paired && rounds && refRounds && rounds.length === refRounds.length && rounds.length > 0) {
    ratio = median(rounds.map((v, i) => v / refRounds[i]));
  }
  // The same comparison per second of CPU each side used (HTTP rows): robust to a shared machine.
  let cpuRatio;
  if (
    cpuRounds &&
    refCpuRounds &&
    cpuRounds.length === refCpuRounds.length &&
    cpuRounds.length > 0
  ) {
    cpuRatio = median(cpuRounds.map((v, i) => v / refCpuRounds[i]));
  }
  let verdict = 'info';
  if (target) {
    if (!Number.isFinite(ratio)) verdict = 'MISS';
    else
      verdict = (target.op === '>=' ? ratio >= target.value : ratio <= target.value)
        ? 'PASS'
        : 'MISS';
  }
  return {
    id,
    group,
    name,
    value,
    unit,
    ...(p50 === undefined ? {} : { p50, p99 }),
    ref: { name: refName, value: refValue },
    ratio,
    ...(cpuRatio === undefined ? {} : { cpuRatio }),
    target,
    verdict,
    ...(rounds ? { rounds, spread: spread(rounds) } : {}),
    ...(refRounds ? { refRounds, refSpread: spread(refRounds) } : {}),
    ...(note ? { note } : {}),
  };
}

function formatNumber(value, unit) {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'ms') return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  if (unit === 'MB') return `${value.toFixed(1)} MB`;
  if (unit === '/s') return `${Math.round(value).toLocaleString('en-US')}/s`;
  if (unit === ' instr') return `${Math.round(value).toLocaleString('en-US')} instr`;
  if (unit === 'B') return `${Math.round(value).toLocaleString('en-US')} B`;
  return `${value}${unit ?? ''}`;
}

export function formatTable(rows) {
  const header = [
    '#',
    'measure',
    'value',
    'p50 / p99',
    'reference (same run)',
    'ref value',
    'ratio',
    'per CPU-s',
    'target',
    'result',
  ];
  const lines = rows.map((r) => [
    r.id,
    r.name,
    formatNumber(r.value, r.unit),
    r.p50 === undefined ? '' : `${formatNumber(r.p50, 'ms')} / ${formatNumber(r.p99, 'ms')}`,
    r.ref.name,
    formatNumber(r.ref.value, r.unit),
    Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : 'n/a',
    Number.isFinite(r.cpuRatio) ? `${r.cpuRatio.toFixed(2)}×` : '',
    r.target ? `${r.target.op === '>=' ? '≥' : '≤'} ${r.target.value}×` : '—',
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const render = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [
    render(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(render),
  ].join('\n');
}

export function machineInfo() {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Ports and child services

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS and VmHWM (peak RSS) of a process, in MB, from /proc/<pid>/status. */
export function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMB: NaN, peakMB: NaN };
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux kernel Node supports. */
const CLOCK_TICKS = 100;

const running = new Set();

/** Children still alive when the bench dies are killed (each by its own pid). */
function killLeftovers() {
  for (const service of running) {
    try {
      process.kill(service.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', killLeftovers);

/** Variables of the contract: never inherited from the bench's own environment. */
const CONTRACT_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'REDIS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URI',
  'JWT_ALG',
  'ACCESS_TOKEN_TTL',
  'REFRESH_TOKEN_TTL',
  'REFRESH_REUSE_INTERVAL',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'LOGIN_MAX_FAILURES',
  'LOGIN_LOCKOUT_SECONDS',
  'RATE_LIMIT_PER_MINUTE',
  'METRICS_ENABLED',
  'LOG_LEVEL',
  'KEY_ENCRYPTION_KEY',
  'KEY_RELOAD_SECONDS',
  'LOG_FORMAT',
];

/**
 * Starts a service (a built app or a bench server) as a child process on a free port of
 * 127.0.0.1, its output appended to bench/results/logs/<name>.log, and waits until it answers.
 * `launcher`: a command that runs node in the same process, e.g. `['valgrind', '--tool=callgrind']`.
 */
export async function startService({
  name,
  entry,
  env = {},
  readyPath = '/health',
  timeoutMs = 60_000,
  args = [],
  launcher = [],
}) {
  if (!existsSync(entry)) {
    throw new Error(
      `${entry} is missing: run \`npm run build\` first (npm run bench builds before measuring)`,
    );
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const port = await freePort();
  const base = { ...process.env };
  for (const variable of CONTRACT_VARIABLES) delete base[variable];
  const logPath = join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logPath, { flags: 'w' });
  // BENCH_CPU_PROF=1: every service writes a V8 CPU profile on exit (bench/results/profiles/).
  const profile = process.env.BENCH_CPU_PROF
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`,
        `--cpu-prof-name=${name}.cpuprofile`,
      ]
    : [];
  const [command, ...launcherArgs] = [...launcher, process.execPath];
  const child = spawn(command, [...launcherArgs, ...profile, ...args, entry], {
    cwd: ROOT,
    // ENV_FILE=/dev/null: a developer's .env never changes what is measured.
    env: { ...base, HOST, PORT: String(port), LOG_FORMAT: 'json', ENV_FILE: '/dev/null', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const service = {
    name,
    pid: child.pid,
    port,
    url: `http://${HOST}:${port}`,
    logPath,
    child,
    exitStatus: null,
    memory: () => readMemory(child.pid),
    async stop() {
      if (service.exitStatus) return service.exitStatus;
      const memory = readMemory(child.pid);
      service.lastMemory = memory;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 12_000);
      service.exitStatus = await exited;
      clearTimeout(timer);
      running.delete(service);
      await new Promise((resolve) => log.end(resolve));
      return service.exitStatus;
    },
  };
  running.add(service);
  exited.then((status) => {
    service.exitStatus = status;
    running.delete(service);
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.exitStatus) {
      throw new Error(
        `${name} exited during start (${JSON.stringify(service.exitStatus)}); see ${logPath}`,
      );
    }
    try {
      const response = await fetch(`${service.url}${readyPath}`, {
        signal: AbortSignal.timeout(1000),
      });
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await service.stop();
      throw new Error(
        `${name} did not answer ${readyPath} within ${timeoutMs / 1000} s; see ${logPath}`,
      );
    }
    await sleep(150);
  }
  return service;
}

/** Starts several services at once; if one fails, stops those that started and rethrows. */
export async function startServices(specs) {
  const settled = await Promise.allSettled(
    specs.map((spec) => (typeof spec === 'function' ? spec() : startService(spec))),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.stop()));
    throw failed.reason;
  }
  return settled.map((s) => s.value);
}

/** Stops every service still running (end of the suite, whatever happened). */
export async function stopAllServices() {
  await Promise.all([...running].map((service) => service.stop()));
}

/** Lines of a service log at level error or fatal (pino levels 50, 60), and lines that are not JSON on stderr. */
export function logProblems(logPath) {
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  const problems = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line);
      if (typeof entry.level === 'number' && entry.level >= 50) problems.push(line.slice(0, 400));
    } catch {
      if (/error|exception|warn/i.test(line)) problems.push(line.slice(0, 400));
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Load generation (autocannon)

let autocannonModule;
function autocannon() {
  autocannonModule ??= requireDependency('autocannon');
  return autocannonModule;
}

/**
 * Runs autocannon against 127.0.0.1 for a bounded time and returns req/s (2xx only), p50 and p99
 * in ms. Latencies are collected from each response here (float milliseconds): autocannon's own
 * histogram rounds to whole milliseconds, too coarse for sub-millisecond routes.
 * `signal` (an AbortSignal) stops the load before its duration is over.
 */
export async function load({ pid, signal, ...options }) {
  const url = new URL(options.url);
  if (url.hostname !== HOST) throw new Error(`loads target ${HOST} only, not ${url.hostname}`);
  const latencies = [];
  const statuses = {};
  const instance = autocannon()({
    connections: 10,
    pipelining: 1,
    timeout: 10,
    ...options,
    url: url.toString(),
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  if (signal) {
    if (signal.aborted) instance.stop();
    else signal.addEventListener('abort', () => instance.stop(), { once: true });
  }
  const cpuBefore = pid === undefined ? NaN : cpuSeconds(pid);
  const result = await instance;
  const serverCpu = pid === undefined ? NaN : cpuSeconds(pid) - cpuBefore;
  const duration = result.duration || options.duration || 1;
  return {
    rps: latencies.length / duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: latencies.length,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses,
    duration,
    // Requests answered per second of CPU the server used: steadier than req/s when other work
    // shares the machine (the scheduler takes wall time from the server, not CPU time).
    serverCpu,
    perCpuSecond: serverCpu > 0 ? latencies.length / serverCpu : NaN,
  };
}

/** Medians over several load results of the same run: req/s, p50 and p99. */
export function summarizeLoads(results) {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
  };
}

/** A one-line account of failed requests in a load result, or '' when there were none. */
export function failures(result) {
  const parts = [];
  if (result.non2xx) {
    const codes = Object.entries(result.statuses)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, count]) => `${count}×${code}`);
    parts.push(`non-2xx: ${codes.join(', ')}`);
  }
  if (result.errors) parts.push(`${result.errors} connection errors`);
  if (result.timeouts) parts.push(`${result.timeouts} timeouts`);
  return parts.join('; ');
}

export function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}
