import { MemoryDpopReplayStore } from './dpop-replay-store';

describe(MemoryDpopReplayStore.name, () => {
  let now = 1_000_000;
  const clock = () => now;

  it('refuses a key seen before while it is remembered, and accepts it once it has expired', async () => {
    const store = new MemoryDpopReplayStore(clock);
    await expect(store.firstUse('jkt:a', now + 60_000)).resolves.toBe(true);
    await expect(store.firstUse('jkt:a', now + 60_000)).resolves.toBe(false);
    now += 60_001;
    await expect(store.firstUse('jkt:a', now + 60_000)).resolves.toBe(true);
  });

  it('when full, refuses new proofs (fail closed) instead of forgetting live ones early', async () => {
    const store = new MemoryDpopReplayStore(clock, 3);
    for (const jti of ['a', 'b', 'c'])
      await expect(store.firstUse(jti, now + 1000)).resolves.toBe(true);
    await expect(store.firstUse('d', now + 1000)).resolves.toBe(false);
    // The live ones are still remembered: their replays are refused.
    for (const jti of ['a', 'b', 'c'])
      await expect(store.firstUse(jti, now + 1000)).resolves.toBe(false);
    // Once they expire there is room again.
    now += 1001;
    await expect(store.firstUse('d', now + 1000)).resolves.toBe(true);
    expect(store.size).toBe(1);
  });

  it('forgets expired entries as it goes, so memory follows the live window, not the total', async () => {
    const store = new MemoryDpopReplayStore(clock, 2000);
    for (let i = 0; i < 4000; i++) {
      await expect(store.firstUse(`p${i}`, now + 100_000)).resolves.toBe(true);
      now += 100;
    }
    // Only the proofs of the last 100 s (and of the second their expiry is rounded up to) are kept.
    expect(store.size).toBeGreaterThanOrEqual(100_000 / 100);
    expect(store.size).toBeLessThanOrEqual(101_000 / 100);
  });

  it('removes an entry that expired behind a longer-lived one once that one goes', async () => {
    const store = new MemoryDpopReplayStore(clock, 10);
    await store.firstUse('long', now + 5000);
    await store.firstUse('short', now + 1000);
    now += 2000;
    // "short" has expired: a proof with that key is accepted again even before it is swept.
    await expect(store.firstUse('short', now + 1000)).resolves.toBe(true);
    now += 4000;
    await store.firstUse('later', now + 1000);
    expect(store.size).toBe(1);
  });

  it('keeps an entry up to the whole second after its expiry, never less', async () => {
    const store = new MemoryDpopReplayStore(clock);
    const expiresAt = now + 1500;
    await store.firstUse('jkt:x', expiresAt);
    now = expiresAt;
    await expect(store.firstUse('jkt:x', now + 1000)).resolves.toBe(false);
    now = expiresAt + 499;
    await expect(store.firstUse('jkt:x', now + 1000)).resolves.toBe(false);
    now = expiresAt + 501;
    await expect(store.firstUse('jkt:x', now + 1000)).resolves.toBe(true);
  });

  it('tells keys apart by their digest: near-identical keys never collide', async () => {
    const store = new MemoryDpopReplayStore(clock);
    const jkt = 'A'.repeat(43);
    for (let i = 0; i < 20_000; i++)
      await expect(store.firstUse(`${jkt}:${i}`, now + 60_000)).resolves.toBe(true);
    await expect(store.firstUse(`${jkt}:19999`, now + 60_000)).resolves.toBe(false);
  });
});
