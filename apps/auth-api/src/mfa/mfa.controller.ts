import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

import { type AuthPrincipal, CurrentUser, Public } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { AuthService } from '../auth/auth.service';
import { TokenIssuer } from '../auth/token-issuer';
import type { TokenResponse } from '../auth/token-response';
import { AcceptsDpop } from '../dpop/dpop-proof.guard';
import { Client } from '../common/client-context';
import { UserSessionGuard } from '../common/user-session.guard';
import type { ClientContext } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { MfaLoginDto, PasswordConfirmationDto, TotpCodeDto } from './dto/mfa.dto';
import { codeProofOf, MfaSignIn } from './mfa-sign-in.service';
import { RecoveryCodes } from './recovery-codes.service';
import { SecondFactors } from './second-factors';
import { TotpFactors } from './totp-factors.service';

/** The second step of a sign-in, and the account's TOTP authenticator and recovery codes. */
@Controller('auth')
export class MfaController {
  constructor(
    @Inject(MfaSignIn) private readonly signIn: MfaSignIn,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(TotpFactors) private readonly totp: TotpFactors,
    @Inject(RecoveryCodes) private readonly recovery: RecoveryCodes,
    @Inject(SecondFactors) private readonly factors: SecondFactors,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('login/mfa')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async loginMfa(
    @Body() dto: MfaLoginDto,
    @Client() client: ClientContext,
  ): Promise<TokenResponse> {
    const { user, grant } = await this.signIn.completeWithCode(
      dto.mfa_token,
      codeProofOf(dto),
      client,
    );
    return this.issuer.forSession(user, grant, 'mfa');
  }

  @UseGuards(UserSessionGuard)
  @Get('mfa')
  factorsOf(@CurrentUser('sub') userId: string) {
    return this.factors.summary(userId);
  }

  /** Starts an enrolment: the secret, its `otpauth://` URI and a QR code of it, shown once. */
  @UseGuards(UserSessionGuard)
  @Post('mfa/totp')
  @Header('Cache-Control', 'no-store')
  async beginTotp(@CurrentUser('sub') userId: string) {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return this.totp.begin(user.id, user.email);
  }

  /** Confirms the enrolment with a first code; answers the recovery codes, shown once. */
  @UseGuards(UserSessionGuard, ThrottlerGuard)
  @Post('mfa/totp/confirm')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async confirmTotp(@CurrentUser() principal: AuthPrincipal, @Body() dto: TotpCodeDto) {
    if (!(await this.totp.confirm(principal.sub, dto.code)))
      throw new ApiError(
        400,
        'invalid_mfa_code',
        'the code is incorrect, or no enrolment was started',
      );
    const codes = await this.recovery.generate(principal.sub);
    await this.audit.record({ type: 'mfa.totp_enabled', subjectId: principal.sub });
    return { recovery_codes: codes };
  }

  @UseGuards(UserSessionGuard, ThrottlerGuard)
  @Delete('mfa/totp')
  @HttpCode(204)
  async removeTotp(
    @CurrentUser('sub') userId: string,
    @Body() dto: PasswordConfirmationDto,
  ): Promise<void> {
    await this.auth.confirmPassword(userId, dto.password);
    if (!(await this.totp.remove(userId)))
      throw new ApiError(404, 'not_found', 'no authenticator is set up');
    await this.recovery.removeAll(userId);
    await this.audit.record({ type: 'mfa.totp_removed', subjectId: userId });
  }

  /** A new set of recovery codes; the earlier ones stop working. */
  @UseGuards(UserSessionGuard, ThrottlerGuard)
  @Post('mfa/recovery-codes')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async regenerateRecoveryCodes(
    @CurrentUser('sub') userId: string,
    @Body() dto: PasswordConfirmationDto,
  ) {
    await this.auth.confirmPassword(userId, dto.password);
    if (!(await this.totp.isEnabled(userId)))
      throw new ApiError(409, 'mfa_not_enabled', 'set up an authenticator first');
    const codes = await this.recovery.generate(userId);
    await this.audit.record({ type: 'mfa.recovery_codes_generated', subjectId: userId });
    return { recovery_codes: codes };
  }
}
