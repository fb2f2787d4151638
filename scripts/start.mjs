#!/usr/bin/env node
// Runs the built auth-api and resource-api side by side (what `npm start` does after the build).
// Each output line is prefixed with its service; SIGINT/SIGTERM/SIGHUP go to both; if one service
// dies on its own, the other is stopped and this script exits non-zero. No child outlives it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const useColour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code, text) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Give a stopping service this long before killing it (the services themselves cap shutdown at 10 s). */
const KILL_AFTER_MS = 15_000;
/** How long to wait for both /health endpoints before printing the banner anyway. */
const READY_TIMEOUT_MS = 30_000;

/**
 * The variables as the services will see them: the env file (`ENV_FILE`, else `.env` in their
 * working directory, which is the repository root) under the real environment, parsed by the very
 * dotenv that `@nestjs/config` uses. A file that cannot be read gives nothing here; the services
 * themselves then say what is wrong with it.
 */
function serviceEnvironment() {
  // Relative to the services' working directory, the root, as they resolve it.
  const path = process.env.ENV_FILE ? resolve(root, process.env.ENV_FILE) : join(root, '.env');
  let fromFile = {};
  try {
    const requireFromConfig = createRequire(
      createRequire(import.meta.url).resolve('@nestjs/config'),
    );
    fromFile = requireFromConfig('dotenv').parse(readFileSync(path));
  } catch {
    fromFile = {};
  }
  return { ...fromFile, ...process.env };
}
const environment = serviceEnvironment();

// AUTH_API_PORT / RESOURCE_API_PORT move the pair elsewhere (PORT alone cannot name two ports).
const services = [
  {
    name: 'auth-api',
    entry: 'dist/apps/auth-api/main.js',
    port: Number(environment.AUTH_API_PORT || 3000),
    colour: '36',
  },
  {
    name: 'resource-api',
    entry: 'dist/apps/resource-api/main.js',
    port: Number(environment.RESOURCE_API_PORT || 3001),
    colour: '35',
  },
];
const width = Math.max(...services.map((s) => s.name.length)) + 2;

const host = environment.HOST || '127.0.0.1';
// A wildcard address is not something to browse to; the loopback reaches it.
const browseHost = ['0.0.0.0', '::', '[::]'].includes(host)
  ? '127.0.0.1'
  : host.includes(':')
    ? `[${host}]`
    : host;
const urlOf = (service) => `http://${browseHost}:${service.port}`;
// Without AUTH_ISSUER, both services default to http://localhost:3000: moved elsewhere
// (AUTH_API_PORT, HOST), the pair is told where auth-api now is, so that resource-api still
// fetches its keys there and accepts its tokens.
const issuerDefault = environment.AUTH_ISSUER
  ? {}
  : {
      AUTH_ISSUER: `http://${browseHost === '127.0.0.1' ? 'localhost' : browseHost}:${services[0].port}`,
    };

let stopping = false;
let exitCode = 0;

function say(line) {
  process.stdout.write(`${paint('1', '[start]')} ${line}\n`);
}

/** Copies a child's stream to ours line by line, each line prefixed with the service name. */
function pipeLines(stream, target, prefix) {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => target.write(`${prefix} ${line}\n`));
}

function launch(service) {
  const child = spawn(process.execPath, [join(root, service.entry)], {
    cwd: root,
    // The services write to a pipe here; tell them to stay human-readable when we are on a terminal.
    env: {
      ...(process.stdout.isTTY ? { LOG_FORMAT: 'pretty' } : {}),
      ...process.env,
      ...issuerDefault,
      PORT: String(service.port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = paint(service.colour, `[${service.name}]`.padEnd(width));
  pipeLines(child.stdout, process.stdout, prefix);
  pipeLines(child.stderr, process.stderr, prefix);
  service.exited = new Promise((resolve) => {
    let finished = false;
    const finish = (description, clean) => {
      if (finished) return;
      finished = true;
      service.child = null;
      if (!stopping) {
        say(paint('31', `${service.name} ${description}; stopping the other service`));
        exitCode = 1;
        stopAll('SIGTERM');
      } else if (!clean) {
        say(`${service.name} ${description}`);
        exitCode = 1;
      }
      resolve();
    };
    // 'close' rather than 'exit': it comes after the child's last output lines were read.
    child.on('close', (code, signal) =>
      finish(`exited with ${signal ?? `code ${code}`}`, code === 0),
    );
    child.on('error', (error) => finish(`could not be started: ${error.message}`, false));
  });
  service.child = child;
}

function stopAll(signal) {
  if (stopping) {
    // A second Ctrl-C while stopping: pass it on, the services ignore repeats or exit sooner.
    for (const service of services) service.child?.kill(signal);
    return;
  }
  stopping = true;
  for (const service of services) {
    const child = service.child;
    if (!child) continue;
    child.kill(signal);
    setTimeout(() => {
      if (service.child === child) {
        say(`${service.name} did not stop within ${KILL_AFTER_MS / 1000} s; killing it`);
        child.kill('SIGKILL');
      }
    }, KILL_AFTER_MS).unref();
  }
}

async function isHealthy(service) {
  try {
    const response = await fetch(`${urlOf(service)}/health`, { signal: AbortSignal.timeout(1000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Prints where to go once both services answer /health (or after a timeout, with a warning). */
async function announceWhenReady() {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let pending = [...services];
  while (pending.length > 0 && Date.now() < deadline && !stopping) {
    const health = await Promise.all(pending.map(isHealthy));
    pending = pending.filter((_, i) => !health[i]);
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (stopping) return;
  if (pending.length > 0)
    say(
      paint(
        '33',
        `not healthy after ${READY_TIMEOUT_MS / 1000} s: ${pending.map((s) => s.name).join(', ')}`,
      ),
    );
  const [authApi, resourceApi] = services;
  const lines = [
    '',
    `${paint('1', 'auth-api')}      ${urlOf(authApi)}   (JWKS: ${urlOf(authApi)}/.well-known/jwks.json)`,
    `${paint('1', 'resource-api')}  ${urlOf(resourceApi)}`,
    `Web console   ${urlOf(authApi)}/console      API docs: ${urlOf(authApi)}/docs, ${urlOf(resourceApi)}/docs`,
    '',
  ];
  if (environment.ADMIN_EMAIL) {
    lines.push(
      `Admin account: ${environment.ADMIN_EMAIL} (created at start if no user has that email).`,
    );
    lines.push('Walk through the API: npm run demo (with the same ADMIN_EMAIL and ADMIN_PASSWORD)');
  } else {
    lines.push(
      'No admin is configured. To create the first one, stop with Ctrl-C and restart with:',
    );
    lines.push("  ADMIN_EMAIL=admin@example.com ADMIN_PASSWORD='a long passphrase' npm start");
    lines.push('(see README.md). Then: ADMIN_EMAIL=… ADMIN_PASSWORD=… npm run demo');
  }
  lines.push('Press Ctrl-C to stop both services.', '');
  for (const line of lines) say(line);
}

const missing = services.filter((s) => !existsSync(join(root, s.entry)));
if (missing.length > 0) {
  for (const s of missing)
    say(paint('31', `${relative(process.cwd(), join(root, s.entry))} is missing`));
  say('Build first: npm run build (npm start does this for you).');
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) say(`${signal} received; stopping both services`);
    stopAll(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}

for (const service of services) launch(service);
say(`starting ${services.map((s) => s.name).join(' and ')}…`);
void announceWhenReady();
await Promise.all(services.map((s) => s.exited));
// Let the last lines drain rather than process.exit() at once; the timer only guards against a hang.
process.exitCode = exitCode;
setTimeout(() => process.exit(exitCode), 2000).unref();
