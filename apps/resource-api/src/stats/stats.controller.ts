import { Controller, Get } from '@nestjs/common';

import { Scopes } from '@jwt-token/auth';

import { type Stats, StatsService } from './stats.service';

/** For service clients: needs the `stats:read` scope, whatever the roles. */
@Controller('internal')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Scopes('stats:read')
  @Get('stats')
  get(): Stats {
    return this.stats.snapshot();
  }
}
