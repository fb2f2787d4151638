// A tiny harness for the micro-benchmarks: contenders run in interleaved short rounds (so machine
// noise hits them alike), after one discarded warm-up round; medians are reported.
//
// Throughput is counted per second of CPU time the process used (process.cpuUsage: user +
// system, all threads), not per wall-clock second: on a machine shared with other work the
// scheduler steals wall time from us at random, CPU time it does not. Wall-clock rates are kept
// in the details too.
import { median } from './common.mjs';

/**
 * @param contenders `{ name: { fn(i): unknown | Promise<unknown>, async: boolean } }`; `fn(i)`
 *   does one operation on input `i` (callers cycle through their distinct inputs with it).
 * @returns `{ name: { median, rounds, wallMedian, wallRounds } }` in operations per second.
 */
export async function measure(contenders, { rounds, roundMs }) {
  const names = Object.keys(contenders);
  const results = Object.fromEntries(names.map((n) => [n, []]));
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = -1; round < rounds; round++) {
    // Rotate the order each round, so no contender always runs right after the same other.
    const order = names.map((_, i) => names[(i + Math.max(round, 0)) % names.length]);
    for (const name of order) {
      const { fn, async: isAsync } = contenders[name];
      const rate = isAsync ? await runAsync(fn, roundMs) : runSync(fn, roundMs);
      if (round >= 0) {
        results[name].push(rate.cpu);
        wall[name].push(rate.wall);
      }
    }
    // Let the collector run between rounds rather than in the middle of the next one.
    globalThis.gc?.();
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        median: median(results[n]),
        rounds: results[n],
        wallMedian: median(wall[n]),
        wallRounds: wall[n],
      },
    ]),
  );
}

const BATCH = 32;

function rates(count, start, now, cpuStart) {
  const cpu = process.cpuUsage(cpuStart);
  return {
    wall: count / (Number(now - start) / 1e9),
    cpu: count / ((cpu.user + cpu.system) / 1e6),
  };
}

function runSync(fn, roundMs) {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(roundMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) fn(count++);
    now = process.hrtime.bigint();
  }
  return rates(count, start, now, cpuStart);
}

async function runAsync(fn, roundMs) {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const end = start + BigInt(roundMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) await fn(count++);
    now = process.hrtime.bigint();
  }
  return rates(count, start, now, cpuStart);
}
