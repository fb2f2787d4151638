import { Controller, Get } from '@nestjs/common';

import { Public } from '@jwt-token/auth';

/** Liveness for load balancers and `docker compose`: no token, no dependency. */
@Public()
@Controller('health')
export class HealthController {
  @Get()
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
