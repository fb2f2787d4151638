// Row 8b's measurement, in a process of its own (it needs --expose-gc and a heap with nothing
// else in it): `n` proofs' keys (`<jkt>:<jti>`, the verifier's) remembered by the library's
// MemoryDpopReplayStore, and by a plain Map of those keys to their expiry in ms (what a
// hand-written replay cache keeps). Prints one JSON line: heap bytes a proof and ns a call, each.
//
//   node --expose-gc bench/lib/replay-store-probe.mjs <n>
import { createHash, randomUUID } from 'node:crypto';

import { MemoryDpopReplayStore } from '@jwt-token/auth';

const n = Number(process.argv[2] ?? 200_000);
const jkt = createHash('sha256').update('bench client key').digest('base64url');

/** Fresh keys as the verifier builds them: the thumbprint and a jti parsed out of the proof's JSON. */
function keys() {
  return Array.from({ length: n }, () => `${jkt}:${JSON.parse(`"${randomUUID()}"`)}`);
}

async function probe(makeStore) {
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const list = keys();
  const expiresAt = Date.now() + 70_000;
  const store = makeStore();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await store.firstUse(list[i], expiresAt);
  const ns = Number(process.hrtime.bigint() - started) / n;
  list.length = 0; // only what the store holds stays alive (the plain Map: the keys themselves)
  globalThis.gc();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  if (store.size !== n) throw new Error(`the store kept ${store.size} of ${n} proofs`);
  return { bytes, ns };
}

/** The hand-written baseline: the key itself, its expiry in ms. */
class PlainMapStore {
  seen = new Map();
  get size() {
    return this.seen.size;
  }
  async firstUse(key, expiresAt) {
    const known = this.seen.get(key);
    if (known !== undefined && known > Date.now()) return false;
    this.seen.set(key, expiresAt);
    return true;
  }
}

const library = await probe(() => new MemoryDpopReplayStore(Date.now, n));
const plain = await probe(() => new PlainMapStore());
console.log(JSON.stringify({ n, library, plain }));
