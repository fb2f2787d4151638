import { Controller, Get, Inject, Query } from '@nestjs/common';

import { Roles } from '@jwt-token/auth';

import { ListUsersQuery } from '../admin/dto/update-user.dto';
import { MailService } from './mail.service';

/** `GET /mail/outbox`: the mail auth-api kept (all of it without SMTP_URL; failures with it). */
@Roles('admin')
@Controller('mail')
export class MailController {
  constructor(@Inject(MailService) private readonly mail: MailService) {}

  @Get('outbox')
  async list(@Query() query: ListUsersQuery) {
    const { items, total } = await this.mail.list(query.offset, query.limit);
    return { mode: this.mail.mode, items, total, offset: query.offset, limit: query.limit };
  }
}
