import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';

import { CurrentUser, Roles } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { UuidParam } from '../common/uuid-param.pipe';
import { UsersService } from '../users/users.service';
import { EmailVerificationService } from './email-verification.service';

/** Admin: vouch for a user's address, or mail them a new verification link (both audited). */
@Roles('admin')
@Controller('users')
export class AccountAdminController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(EmailVerificationService) private readonly verification: EmailVerificationService,
  ) {}

  @Post(':id/email-verified')
  @HttpCode(204)
  async markVerified(@Param('id', UuidParam) id: string): Promise<void> {
    await this.existing(id);
    await this.verification.markVerified(id);
  }

  @Post(':id/verification-mail')
  @HttpCode(202)
  async resend(@CurrentUser('sub') actorId: string, @Param('id', UuidParam) id: string) {
    const user = await this.existing(id);
    if (user.emailVerified)
      throw new ApiError(409, 'already_verified', 'this email address is already verified');
    const sent = await this.verification.send(user, actorId);
    if (!sent)
      throw new ApiError(429, 'mail_limit', 'this account was sent enough mail for this hour');
    return { sent };
  }

  private async existing(id: string) {
    const user = await this.users.findById(id);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return user;
  }
}
