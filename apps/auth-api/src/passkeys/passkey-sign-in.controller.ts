import { Body, Controller, Header, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

import { Public } from '@jwt-token/auth';

import { TokenIssuer } from '../auth/token-issuer';
import type { TokenResponse } from '../auth/token-response';
import { Client } from '../common/client-context';
import { AcceptsDpop } from '../dpop/dpop-proof.guard';
import type { ClientContext } from '../sessions/sessions.service';
import { MfaTokenDto, PasskeyCredentialDto, PasskeyMfaDto } from './dto/passkeys.dto';
import { PasskeySignIn } from './passkey-sign-in.service';
import { Passkeys } from './passkeys.service';

/** Signing in with a passkey through the JSON API: passwordless, or as the second step. */
@Public()
@UseGuards(ThrottlerGuard)
@Controller('auth')
export class PasskeySignInController {
  constructor(
    @Inject(Passkeys) private readonly passkeys: Passkeys,
    @Inject(PasskeySignIn) private readonly signIn: PasskeySignIn,
    @Inject(TokenIssuer) private readonly issuer: TokenIssuer,
  ) {}

  /** Options for `navigator.credentials.get()` naming no user: the browser offers its passkeys. */
  @Post('passkey/options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  signInOptions() {
    return this.passkeys.signInOptions();
  }

  @AcceptsDpop()
  @Post('passkey')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async passwordless(
    @Body() dto: PasskeyCredentialDto,
    @Client() client: ClientContext,
  ): Promise<TokenResponse> {
    const { user, grant } = await this.signIn.signIn(dto.credential, client);
    return this.issuer.forSession(user, grant, 'passkey');
  }

  /** Options for the second step, after 403 `mfa_required` listed `passkey`. */
  @Post('login/mfa/passkey/options')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  secondFactorOptions(@Body() dto: MfaTokenDto) {
    return this.signIn.secondFactorOptions(dto.mfa_token);
  }

  @AcceptsDpop()
  @Post('login/mfa/passkey')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async secondFactor(
    @Body() dto: PasskeyMfaDto,
    @Client() client: ClientContext,
  ): Promise<TokenResponse> {
    const { user, grant } = await this.signIn.completeSecondFactor(
      dto.mfa_token,
      dto.credential,
      client,
    );
    return this.issuer.forSession(user, grant, 'mfa');
  }
}
