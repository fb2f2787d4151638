import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Algorithm } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';

import { ApiError } from '@jwt-token/service-kit';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * How much lower than the event loop the hashing threads run (Linux `nice`, through piscina and
 * @napi-rs/nice). A hash takes ~15 ms of CPU; at the same priority, a few of them on every core
 * make the scheduler keep the event loop waiting, and cheap requests (JWKS, refresh) queue behind
 * logins. Niced, the hashers get every cycle the event loop leaves and give it back at once.
 */
export const HASHER_NICE_INCREMENT = 10;

/** Hashes waiting for a thread, per thread, before new logins are refused with 503 (about 1 s of work each). */
export const QUEUED_HASHES_PER_THREAD = 64;

export interface PasswordHasherOptions {
  /** Worker threads; default: one per core. */
  threads?: number;
  /** Most hashes that may wait for a thread; beyond it `hash`/`verify` throw a 503 `ApiError`. */
  maxQueue?: number;
}

/** Optional provider of {@link PasswordHasherOptions} (tests use it to shrink the pool). */
export const PASSWORD_HASHER_OPTIONS = Symbol('auth-api:password-hasher-options');

type Argon2Task =
  | { op: 'hash'; password: string; options: typeof ARGON2_PARAMS }
  | { op: 'verify'; hash: string; password: string };

/**
 * argon2id (@node-rs/argon2) on a pool of low-priority worker threads (piscina). Hashing never
 * runs on the event loop, never competes with it for a core, and a flood of logins waits in a
 * bounded queue instead of growing memory without limit.
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly pool: Piscina<Argon2Task, string | boolean>;
  private dummyHash?: Promise<string>;

  constructor(
    @Optional() @Inject(PASSWORD_HASHER_OPTIONS) options: PasswordHasherOptions | null = null,
  ) {
    const threads = options?.threads ?? availableParallelism();
    this.pool = new Piscina({
      filename: join(__dirname, 'argon2.worker.js'),
      minThreads: threads,
      maxThreads: threads,
      maxQueue: options?.maxQueue ?? threads * QUEUED_HASHES_PER_THREAD,
      niceIncrement: HASHER_NICE_INCREMENT,
      // Each thread holds the next hash while it works on one (it still runs one at a time): a
      // thread that finishes finds its next task waiting instead of going to sleep, so under a
      // login load the event loop need not wake a thread for every hash. On a 2-core VM a wake-up
      // costs the event loop about 0.3 ms, a tenth of a login's work there (bench row 4a).
      concurrentTasksPerWorker: 2,
      // Idle threads hold no 19 MiB arena for long; they are started again on demand.
      idleTimeout: 30_000,
    });
  }

  hash(password: string): Promise<string> {
    return this.run({ op: 'hash', password, options: ARGON2_PARAMS }) as Promise<string>;
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return (await this.run({ op: 'verify', hash: storedHash, password })) === true;
    } catch (error) {
      if (error instanceof ApiError) throw error;
      // A malformed stored hash verifies nothing.
      return false;
    }
  }

  /** Spends the time of a real verification and always fails: used when there is no such user. */
  async verifyAgainstDummy(password: string): Promise<false> {
    // A real hash of a random password, made on first need: same cost, same answer.
    this.dummyHash ??= this.hash(`dummy-${Math.random()}`);
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when a hash was made with other parameters than today's and should be redone at login. */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    const [, m, t, p] = match.map(Number);
    return (
      m !== ARGON2_PARAMS.memoryCost ||
      t !== ARGON2_PARAMS.timeCost ||
      p !== ARGON2_PARAMS.parallelism
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  private async run(task: Argon2Task): Promise<string | boolean> {
    try {
      return await this.pool.run(task);
    } catch (error) {
      // piscina refuses a task when its queue is full; it has no error code, only this message.
      if ((error as Error)?.message === 'Task queue is at limit') throw overloaded();
      throw error;
    }
  }
}

function overloaded(): ApiError {
  return new ApiError(
    503,
    'service_unavailable',
    'too many password checks in progress; retry shortly',
    {},
    { 'Retry-After': '1' },
  );
}
