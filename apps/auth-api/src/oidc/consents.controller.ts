import { Controller, Delete, Get, HttpCode, Inject, Param, UseGuards } from '@nestjs/common';

import { CurrentUser } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { UserSessionGuard } from '../common/user-session.guard';
import { ConsentsService } from './consents.service';

/** The account's remembered consents: which clients may skip the consent page, and revoking them. */
@UseGuards(UserSessionGuard)
@Controller('auth/consents')
export class ConsentsController {
  constructor(
    @Inject(ConsentsService) private readonly consents: ConsentsService,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /** `[{client_id, client_name, scopes, grantedAt}]`, newest first. */
  @Get()
  async list(@CurrentUser('sub') userId: string) {
    const consents = await this.consents.list(userId);
    return Promise.all(
      consents.map(async (consent) => ({
        client_id: consent.clientId,
        client_name: (await this.clients.findById(consent.clientId))?.name ?? null,
        scopes: consent.scopes,
        grantedAt: new Date(consent.grantedAt).toISOString(),
      })),
    );
  }

  /** Forgets the consent: the client asks again next time (its tokens stay valid until revoked). */
  @Delete(':clientId')
  @HttpCode(204)
  async revoke(
    @CurrentUser('sub') userId: string,
    @Param('clientId') clientId: string,
  ): Promise<void> {
    if (clientId.length > 64 || !(await this.consents.revoke(userId, clientId)))
      throw new ApiError(404, 'not_found', 'no consent for this client');
    await this.audit.record({ type: 'consent.revoked', subjectId: userId, details: { clientId } });
  }
}
