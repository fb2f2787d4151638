import { Controller, Delete, Get, HttpCode, Inject, Param } from '@nestjs/common';

import { CurrentUser, Roles } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AttemptLimiter } from '../auth/attempt-limiter';
import { UuidParam } from '../common/uuid-param.pipe';
import { UsersService } from '../users/users.service';
import { SecondFactors } from './second-factors';

/** Admin: see a user's second factors, and reset them for a user who lost theirs (audited). */
@Roles('admin')
@Controller('users')
export class MfaAdminController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SecondFactors) private readonly factors: SecondFactors,
    @Inject(AttemptLimiter) private readonly attempts: AttemptLimiter,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Get(':id/factors')
  async factorsOf(@Param('id', UuidParam) id: string) {
    await this.existing(id);
    return this.factors.summary(id);
  }

  /**
   * Removes every second factor and lifts the second factor's lockout: the user signs in with the
   * password alone and sets a factor up again. Their sessions stay; revoke them apart if needed.
   */
  @Delete(':id/factors')
  @HttpCode(204)
  async reset(
    @CurrentUser('sub') actorId: string,
    @Param('id', UuidParam) id: string,
  ): Promise<void> {
    await this.existing(id);
    await this.factors.resetAll(id);
    await this.attempts.succeeded(id, 'second_factor');
    await this.audit.record({ type: 'mfa.factors_reset', actorId, subjectId: id });
  }

  private async existing(id: string) {
    const user = await this.users.findById(id);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return user;
  }
}
