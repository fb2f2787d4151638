import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

import { CurrentUser } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { UserSessionGuard } from '../common/user-session.guard';
import { UuidParam } from '../common/uuid-param.pipe';
import { UsersService } from '../users/users.service';
import { PasswordConfirmationDto } from '../mfa/dto/mfa.dto';
import { PasskeyRegistrationDto, PasskeyRenameDto } from './dto/passkeys.dto';
import { Passkeys } from './passkeys.service';

/**
 * The account's passkeys: list, add (the password is asked again: a passkey signs in on its own,
 * so a stolen access token must not be able to plant one), rename (no password: a name grants
 * nothing), remove (password again).
 */
@UseGuards(UserSessionGuard)
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(
    @Inject(Passkeys) private readonly passkeys: Passkeys,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Get()
  list(@CurrentUser('sub') userId: string) {
    return this.passkeys.list(userId);
  }

  /** Options for `navigator.credentials.create()`, valid five minutes, for one registration. */
  @UseGuards(ThrottlerGuard)
  @Post('registration/options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async registrationOptions(
    @CurrentUser('sub') userId: string,
    @Body() dto: PasswordConfirmationDto,
  ) {
    const user = await this.auth.confirmPassword(userId, dto.password);
    return this.passkeys.registrationOptions(user);
  }

  @UseGuards(ThrottlerGuard)
  @Post()
  async register(@CurrentUser('sub') userId: string, @Body() dto: PasskeyRegistrationDto) {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    const passkey = await this.passkeys.register(user, dto.credential, dto.name);
    if (!passkey)
      throw new ApiError(
        400,
        'invalid_passkey',
        'the passkey could not be verified (expired or reused options, another origin, or no user verification); start again',
      );
    await this.audit.record({
      type: 'passkey.registered',
      subjectId: userId,
      details: { passkeyId: passkey.id, deviceType: passkey.device_type },
    });
    return passkey;
  }

  @UseGuards(ThrottlerGuard)
  @Patch(':id')
  async rename(
    @CurrentUser('sub') userId: string,
    @Param('id', UuidParam) id: string,
    @Body() dto: PasskeyRenameDto,
  ) {
    const passkey = await this.passkeys.rename(userId, id, dto.name);
    if (!passkey) throw new ApiError(404, 'not_found', 'no such passkey');
    await this.audit.record({
      type: 'passkey.renamed',
      subjectId: userId,
      details: { passkeyId: id },
    });
    return passkey;
  }

  @UseGuards(ThrottlerGuard)
  @Delete(':id')
  @HttpCode(204)
  async remove(
    @CurrentUser('sub') userId: string,
    @Param('id', UuidParam) id: string,
    @Body() dto: PasswordConfirmationDto,
  ): Promise<void> {
    await this.auth.confirmPassword(userId, dto.password);
    if (!(await this.passkeys.remove(userId, id)))
      throw new ApiError(404, 'not_found', 'no such passkey');
    await this.audit.record({
      type: 'passkey.removed',
      subjectId: userId,
      details: { passkeyId: id },
    });
  }
}
