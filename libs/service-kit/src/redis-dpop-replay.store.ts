import type { DpopReplayStore } from '@jwt-token/auth';

/** The one Redis command the store needs, as ioredis (and node-redis' legacy mode) offers it. */
export interface RedisSetNx {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
}

/**
 * DPoP `jti`s remembered in Redis, so that every instance refuses a proof any one of them has
 * accepted (RFC 9449 §11.1). `SET key 1 PX ttl NX` is atomic: of racing instances, one wins.
 * Redis unreachable: the error propagates and the request is refused (fail closed).
 */
export class RedisDpopReplayStore implements DpopReplayStore {
  constructor(
    private readonly redis: RedisSetNx,
    private readonly prefix = 'dpop:jti:',
    private readonly now: () => number = Date.now,
  ) {}

  async firstUse(key: string, expiresAtMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAtMs - this.now()));
    return (await this.redis.set(`${this.prefix}${key}`, '1', 'PX', ttl, 'NX')) === 'OK';
  }
}
