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
    const store = new MemoryDpopReplayStore(clock, 1000);
    for (let i = 0; i < 10_000; i++) {
      await expect(store.firstUse(`p${i}`, now + 100)).resolves.toBe(true);
      now += 1;
    }
    // Only the proofs of the last 100 ms are live.
    expect(store.size).toBeLessThanOrEqual(101);
  });

  it('removes an entry that expired behind a longer-lived one once that one goes', async () => {
    const store = new MemoryDpopReplayStore(clock, 10);
    await store.firstUse('long', now + 500);
    await store.firstUse('short', now + 100);
    now += 200;
    // "short" has expired: a proof with that key is accepted again even before it is swept.
    await expect(store.firstUse('short', now + 100)).resolves.toBe(true);
    now += 400;
    await store.firstUse('later', now + 100);
    expect(store.size).toBe(1);
  });
});
