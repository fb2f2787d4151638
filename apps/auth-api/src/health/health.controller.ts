import {
  Controller,
  Get,
  Inject,
  Optional,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';

import { Public } from '@jwt-token/auth';

import { RedisThrottlerStorage } from '../common/redis-throttler.storage';
import { DbSigningKeyStore } from '../keys/signing-key.store';

interface StatusSettable {
  status(code: number): unknown;
}

const CHECK_TIMEOUT_MS = 1500;

/**
 * `/health` (the database answers), `/health/live` (the process runs) and `/health/ready`
 * (database and a signing key loaded; 503 with the failing part named). Redis, when configured,
 * shows in the readiness body as `up` or `degraded` (status `degraded`, still 200).
 */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(TypeOrmHealthIndicator) private readonly database: TypeOrmHealthIndicator,
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(DbSigningKeyStore) private readonly keys: DbSigningKeyStore,
    @Optional() @Inject(RedisThrottlerStorage) private readonly redis?: RedisThrottlerStorage,
  ) {}

  @Get()
  check(@Res({ passthrough: true }) response: StatusSettable) {
    return this.run(response, [
      () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
    ]);
  }

  @Get('live')
  live() {
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) response: StatusSettable) {
    const checks: Parameters<HealthCheckService['check']>[0] = [
      () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
      () => {
        const kid = this.keys.activeKid;
        const indicator = this.indicators.check('signing_key');
        return kid ? indicator.up({ kid }) : indicator.down('no signing key loaded');
      },
    ];
    const redis = this.redis;
    if (redis) checks.push(() => this.redisCheck(redis));
    return this.run(response, checks);
  }

  /**
   * Redis is a soft dependency: without it rate limits and lockouts are counted per instance, and
   * the service keeps serving. Failing readiness for it would take every instance out of rotation
   * at once during a Redis blip, an outage made by the health check; it is reported `degraded`.
   */
  private async redisCheck(redis: RedisThrottlerStorage) {
    const attempt = await this.indicators
      .check('redis')
      .attempt(async () => {
        await redis.ping();
      })
      .withTimeout(CHECK_TIMEOUT_MS);
    if (attempt.redis.status === 'up') return attempt;
    return this.indicators.check('redis').degraded({
      message: 'Redis does not answer: rate limits are counted per instance until it is back',
    });
  }

  private async run(
    response: StatusSettable,
    checks: Parameters<HealthCheckService['check']>[0],
  ): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
