import { Controller, Delete, Get, Post } from '@nestjs/common';

import { RequireAuthLevel, Roles } from '../src';

/**
 * Step-up requirements at every level: the class demands MFA, one handler replaces that with a
 * recency requirement, one with a combined one, and one adds a role check that runs first.
 */
@RequireAuthLevel('mfa')
@Controller('step-up')
export class StepUpController {
  @Get()
  mfa() {
    return { level: 'mfa' };
  }

  @RequireAuthLevel({ maxAge: 300 })
  @Get('recent')
  recent() {
    return { level: 'recent' };
  }

  @RequireAuthLevel({ acr: ['gold', '2'], amr: ['hwk'], maxAge: 600 })
  @Post('keys')
  rotateKeys() {
    return { level: 'hardware' };
  }

  @Roles('admin')
  @Delete('everything')
  purge() {
    return { purged: true };
  }
}
