import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

import { type AuthPrincipal, CurrentUser, Public } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { ClientsService } from '../clients/clients.service';
import { Client } from '../common/client-context';
import { UserSessionGuard } from '../common/user-session.guard';
import { UuidParam } from '../common/uuid-param.pipe';
import { SessionsService, type ClientContext } from '../sessions/sessions.service';
import { toSessionView } from '../sessions/session.view';
import { toAccountView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import { EmailVerificationService } from '../account/email-verification.service';
import { AuditService } from '../audit/audit.service';
import { AcceptsDpop } from '../dpop/dpop-proof.guard';
import { AuthService } from './auth.service';
import { ChangePasswordDto, LoginDto, RegisterDto } from './dto/credentials.dto';
import { LogoutDto, RefreshDto } from './dto/refresh.dto';

@Controller('auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(EmailVerificationService) private readonly verification: EmailVerificationService,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('register')
  async register(@Body() dto: RegisterDto) {
    const user = await this.users.create(dto.email, dto.password);
    await this.audit.record({ type: 'user.registered', actorId: user.id, subjectId: user.id });
    this.verification.sendLater(user);
    return toAccountView(user);
  }

  @Public()
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  login(@Body() dto: LoginDto, @Client() client: ClientContext) {
    return this.auth.login(dto.email, dto.password, client);
  }

  @Public()
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop()
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  refresh(@Body() dto: RefreshDto, @Client() client: ClientContext) {
    return this.auth.refresh(dto.refresh_token, client);
  }

  /** Ends the token's session (and, if given, the session of the refresh token, when it is the user's). */
  @UseGuards(UserSessionGuard)
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() principal: AuthPrincipal, @Body() dto: LogoutDto): Promise<void> {
    if (principal.sessionId)
      await this.sessions.revoke(principal.sessionId, 'logout', principal.sub);
    if (dto.refresh_token)
      await this.sessions.revokeByRefreshToken(dto.refresh_token, principal.sub);
    await this.audit.record({
      type: 'session.logout',
      subjectId: principal.sub,
      details: { sessionId: principal.sessionId },
    });
  }

  @UseGuards(UserSessionGuard)
  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser('sub') userId: string): Promise<void> {
    const ended = await this.sessions.revokeAllForUser(userId, 'logout_all');
    await this.audit.record({
      type: 'session.logout_all',
      subjectId: userId,
      details: { sessionsRevoked: ended },
    });
  }

  @UseGuards(UserSessionGuard)
  @Get('me')
  async me(@CurrentUser('sub') userId: string) {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return toAccountView(user);
  }

  @UseGuards(UserSessionGuard)
  @Get('sessions')
  async listSessions(@CurrentUser() principal: AuthPrincipal) {
    const sessions = await this.sessions.listActive(principal.sub);
    const names = new Map<string, string | null>();
    for (const clientId of new Set(sessions.map((s) => s.clientId).filter((id) => id !== null)))
      names.set(clientId, (await this.clients.findById(clientId))?.name ?? null);
    return sessions.map((session) =>
      toSessionView(session, principal.sessionId, names.get(session.clientId ?? '')),
    );
  }

  @UseGuards(UserSessionGuard)
  @Delete('sessions/:id')
  @HttpCode(204)
  async revokeSession(
    @CurrentUser('sub') userId: string,
    @Param('id', UuidParam) id: string,
  ): Promise<void> {
    const revoked = await this.sessions.revoke(id, 'revoked_by_user', userId);
    if (!revoked) throw new ApiError(404, 'not_found', 'no such active session');
    await this.audit.record({
      type: 'session.revoked',
      subjectId: userId,
      details: { sessionId: id },
    });
  }

  @UseGuards(UserSessionGuard, ThrottlerGuard)
  @Post('password')
  @HttpCode(204)
  async changePassword(
    @CurrentUser() principal: AuthPrincipal,
    @Body() dto: ChangePasswordDto,
  ): Promise<void> {
    await this.auth.changePassword(
      principal.sub,
      principal.sessionId,
      dto.currentPassword,
      dto.newPassword,
    );
  }
}
