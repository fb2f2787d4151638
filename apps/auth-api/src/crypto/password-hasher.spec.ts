import { readFileSync, readdirSync } from 'node:fs';

import { ApiError } from '@jwt-token/service-kit';

import { ARGON2_PARAMS, HASHER_NICE_INCREMENT, PasswordHasher } from './password-hasher';

/** The nice value of one thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat). */
function threadNice(tid: string | number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[16]);
}

function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').map(threadNice);
}

/** The most a nice value can be on Linux. */
const LOWEST_PRIORITY = 19;

describe(PasswordHasher.name, () => {
  let hasher: PasswordHasher;

  // Read before any pool exists, so a pool that niced the event loop's thread would show.
  const eventLoopNice = process.platform === 'linux' ? threadNice(process.pid) : 0;

  beforeAll(() => {
    hasher = new PasswordHasher({ threads: 2 });
  });

  afterAll(() => hasher.onModuleDestroy());

  it('hashes with argon2id at the OWASP parameters and verifies only the right password', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hasher.needsRehash(stored)).toBe(false);
    await expect(hasher.verify(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'correct horse battery stapler')).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
  });

  it('treats a malformed stored hash as a failed verification, not an error', async () => {
    await expect(hasher.verify('not-a-hash', 'x')).resolves.toBe(false);
    await expect(hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB', 'x')).resolves.toBe(
      false,
    );
  });

  it('fails the dummy verification used for unknown accounts, at the cost of a real one', async () => {
    await expect(hasher.verifyAgainstDummy('anything')).resolves.toBe(false);
  });

  it('asks for a rehash when the parameters differ from today’s', () => {
    expect(hasher.needsRehash('$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(hasher.needsRehash('$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA')).toBe(true);
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
    expect(ARGON2_PARAMS).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('never blocks the event loop: a timer fires while hashes are running', async () => {
    const events: string[] = [];
    const hashes = Promise.all([hasher.hash('a'), hasher.hash('b'), hasher.hash('c')]).then(() =>
      events.push('hashed'),
    );
    await new Promise<void>((resolve) => setTimeout(() => (events.push('timer'), resolve()), 0));
    await hashes;
    expect(events).toEqual(['timer', 'hashed']);
  });

  const onLinux = process.platform === 'linux' ? it : it.skip;
  onLinux('runs its threads at a lower CPU priority than the event loop', async () => {
    // The process may itself run niced (a CI runner started under `nice`): the hashers sit
    // HASHER_NICE_INCREMENT below whatever the event loop's thread (tid = pid) has.
    await hasher.hash('warm the pool up');
    const expected = Math.min(eventLoopNice + HASHER_NICE_INCREMENT, LOWEST_PRIORITY);
    const niced = threadNiceValues().filter((nice) => nice === expected);
    expect(niced.length).toBeGreaterThanOrEqual(2);
    // The event loop's own thread keeps the process's priority.
    expect(threadNice(process.pid)).toBe(eventLoopNice);
  });

  it('refuses work beyond its queue with a 503 and Retry-After instead of queueing without bound', async () => {
    const small = new PasswordHasher({ threads: 1, maxQueue: 1 });
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => small.hash(`p${i}`)),
      );
      const refused = results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r as PromiseRejectedResult).reason);
      const hashed = results.filter((r) => r.status === 'fulfilled');
      expect(hashed.length).toBeGreaterThanOrEqual(1);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const error of refused) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).getStatus()).toBe(503);
        expect((error as ApiError).headers['Retry-After']).toBe('1');
      }
      // Once the queue has drained, work is accepted again.
      await expect(small.hash('later')).resolves.toMatch(/^\$argon2id\$/);
    } finally {
      await small.onModuleDestroy();
    }
  });
});
