// Preloaded into a service by the memory benchmark (`node --expose-gc --require <this> main.js`):
// on SIGUSR2 it runs full garbage collections and appends one JSON line of
// `process.memoryUsage()` (heap used after that GC, V8 heap size, external, array buffers, RSS)
// to the file named by BENCH_MEMORY_PROBE. The bench reads that file; the service is unchanged.
// BENCH_HEAP_SNAPSHOT_DIR: each SIGUSR2 also writes a heap snapshot there (investigation only:
// a snapshot costs seconds and about the heap's size again in memory).
'use strict';
const { appendFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');

const file = process.env.BENCH_MEMORY_PROBE;
const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
const intervalMs = Number(process.env.BENCH_MEMORY_PROBE_INTERVAL_MS || 0);
let count = 0;

if (file) {
  process.on('SIGUSR2', () => {
    count += 1;
    // Twice: the first full GC frees the garbage, the second hands the emptied pages back to the
    // system, so that the RSS read after them is the process without its garbage.
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const usage = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    let snapshot;
    if (snapshotDir)
      snapshot = v8.writeHeapSnapshot(join(snapshotDir, `${process.pid}-${count}.heapsnapshot`));
    const line = {
      n: count,
      at: Date.now(),
      gc: typeof globalThis.gc === 'function',
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      mallocedMemory: heap.malloced_memory,
      ...(snapshot ? { snapshot } : {}),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
  // BENCH_MEMORY_PROBE_INTERVAL_MS: also a line every so often, without a GC (investigation).
  if (intervalMs > 0) {
    setInterval(() => {
      const usage = process.memoryUsage();
      const spaces = Object.fromEntries(
        v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1048576)]),
      );
      appendFileSync(file, `${JSON.stringify({ at: Date.now(), gc: false, ...usage, spaces })}\n`);
    }, intervalMs).unref();
  }
}
