#!/usr/bin/env node
// `npm run bench`: runs the benchmark suite against the BUILT library and services and prints one
// table, every figure next to its reference measured in the same run, with the ratio, the target
// and PASS/MISS. Writes bench/results/latest.json (and latest.md, the table for the README).
// A MISS is reported, never a failure of the process; a benchmark that crashes is.
//
//   node bench/run.mjs            full suite (< 10 min on 2 cores)
//   node bench/run.mjs --quick    shorter and fewer rounds, no growth benchmark (< 2 min)
//   node bench/run.mjs --only=verify,http
//   node bench/run.mjs --instructions   also rows 3e/3f: 3a/3b counted in instructions (valgrind, +1.5 min)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  ENTRIES,
  RESULTS_DIR,
  formatTable,
  loadAverage,
  log,
  machineInfo,
  median,
  optionalRequire,
  parseOptions,
  stopAllServices,
} from './lib/common.mjs';
import { dropAll } from './lib/pg.mjs';

const options = parseOptions();
const SECTIONS = [
  { name: 'verify', file: './verify.mjs' },
  { name: 'sign', file: './sign.mjs' },
  { name: 'http', file: './http.mjs', needs: ['autocannon'] },
  { name: 'auth-api', file: './auth-api.mjs', needs: ['autocannon'] },
  { name: 'oidc', file: './oidc.mjs', needs: ['autocannon'] },
  { name: 'dpop', file: './dpop.mjs' },
  { name: 'growth', file: './growth.mjs', needs: ['autocannon'], full: true },
  { name: 'memory', file: './memory.mjs', needs: ['autocannon'] },
  // Under valgrind, ~1.5 min: only with --instructions (or --only=instructions).
  { name: 'instructions', file: './instructions.mjs', optIn: 'instructions' },
];

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`${signal}: stopping (services are killed, throwaway databases dropped)`);
    dropAll(options.databaseUrl).finally(() => process.exit(130));
  });
}

for (const entry of [ENTRIES['auth-api'], ENTRIES['resource-api']]) {
  if (!existsSync(entry)) {
    console.error(
      `${entry} is missing: build first (npm run build; npm run bench does it for you)`,
    );
    process.exit(1);
  }
}

const machine = machineInfo();
const startedAt = Date.now();
const loadStart = loadAverage();
log(
  `${options.quick ? 'quick' : 'full'} run on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${loadStart?.join(' ')}`,
);

const rows = [];
const problems = [];
const sections = {};
let crashed = false;
for (const section of SECTIONS) {
  if (options.only && !options.only.includes(section.name)) continue;
  if (section.optIn && !options[section.optIn] && !options.only?.includes(section.name)) continue;
  if (section.full && options.quick) {
    sections[section.name] = { skipped: '--quick' };
    continue;
  }
  const missing = (section.needs ?? []).filter((name) => !optionalRequire(name));
  if (missing.length > 0) {
    problems.push(
      `${section.name}: not run, ${missing.join(', ')} not installed (npm i -D ${missing.join(' ')})`,
    );
    sections[section.name] = { skipped: `missing ${missing.join(', ')}` };
    continue;
  }
  const started = Date.now();
  log(`--- ${section.name}`);
  try {
    const { run } = await import(section.file);
    const result = await run(options);
    rows.push(...result.rows);
    problems.push(...(result.problems ?? []));
    sections[section.name] = { seconds: (Date.now() - started) / 1000, details: result.details };
  } catch (error) {
    crashed = true;
    problems.push(`${section.name}: crashed: ${error?.stack ?? error}`);
    sections[section.name] = {
      seconds: (Date.now() - started) / 1000,
      error: String(error?.message ?? error),
    };
  }
  log(`--- ${section.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
await stopAllServices();
await dropAll(options.databaseUrl);

rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
const elapsed = (Date.now() - startedAt) / 1000;
const loadEnd = loadAverage();
const spreads = rows.filter((r) => r.spread !== undefined).map((r) => r.spread);
const noise = {
  loadAverage: { start: loadStart, end: loadEnd },
  medianRoundSpread: spreads.length ? median(spreads) : null,
};
const table = formatTable(rows);
const misses = rows.filter((r) => r.verdict === 'MISS');
const machineLine =
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}; ${machine.date}; ` +
  `${options.quick ? '--quick' : 'full'} run in ${elapsed.toFixed(0)} s; load average ${loadStart?.join(' ')} → ${loadEnd?.join(' ')}` +
  (noise.medianRoundSpread === null
    ? ''
    : `; median spread between rounds ${(noise.medianRoundSpread * 100).toFixed(0)}%`);

console.log('');
console.log(`Machine: ${machineLine}`);
console.log(table);
console.log('');
console.log(
  `${rows.filter((r) => r.verdict === 'PASS').length} PASS, ${misses.length} MISS, ` +
    `${rows.filter((r) => r.verdict === 'info').length} for information. ` +
    'Ratios of paired rounds are medians of per-round ratios; "per CPU-s" compares requests per second of CPU each server used.',
);
for (const problem of problems) console.log(`problem: ${problem}`);

mkdirSync(RESULTS_DIR, { recursive: true });
const report = {
  machine,
  mode: options.quick ? 'quick' : 'full',
  options,
  elapsedSeconds: elapsed,
  noise,
  rows,
  problems,
  sections,
};
writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(RESULTS_DIR, 'latest.md'), `Machine: ${machineLine}\n\n${table}\n`);
console.log(
  `\nwritten: ${join('bench', 'results', 'latest.json')}, ${join('bench', 'results', 'latest.md')}`,
);
// Exit explicitly: a crashed section may have left a handle open; nothing it started survives.
process.exit(crashed ? 1 : 0);
