import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

import type { DpopReplayStore } from '@jwt-token/auth';
import { RedisDpopReplayStore } from '@jwt-token/service-kit';

/**
 * Where resource-api remembers accepted DPoP proofs: Redis when REDIS_URL is set, so that a proof
 * replayed at another instance is refused too; else the library's per-process memory.
 */
@Injectable()
export class DpopReplay implements OnApplicationShutdown {
  readonly store: DpopReplayStore | undefined;
  private readonly redis: Redis | undefined;

  constructor(redisUrl: string | undefined) {
    if (!redisUrl) return;
    // No offline queue: with Redis down a proof is refused at once rather than held.
    this.redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.store = new RedisDpopReplayStore(this.redis);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

@Module({})
export class DpopReplayModule {
  static forRoot(redisUrl: string | undefined): DynamicModule {
    return {
      module: DpopReplayModule,
      providers: [{ provide: DpopReplay, useValue: new DpopReplay(redisUrl) }],
      exports: [DpopReplay],
    };
  }
}
