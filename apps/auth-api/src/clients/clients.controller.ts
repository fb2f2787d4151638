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
} from '@nestjs/common';

import { Roles } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { resolveClientMetadata } from './client-metadata';
import { ClientsService, toClientView } from './clients.service';
import { CreateClientDto } from './dto/create-client.dto';

@Roles('admin')
@Controller('clients')
export class ClientsController {
  constructor(
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /** 201: the client's metadata and, for a confidential client, `client_secret`, shown this once. */
  @Post()
  @Header('Cache-Control', 'no-store')
  async create(@Body() dto: CreateClientDto) {
    const metadata = resolveClientMetadata(dto);
    const client = await this.clients.create(metadata);
    await this.audit.record({
      type: 'client.created',
      subjectId: client.client_id,
      details: {
        name: metadata.name,
        scopes: metadata.scopes,
        grantTypes: metadata.grantTypes,
        redirectUris: metadata.redirectUris,
      },
    });
    return client;
  }

  @Get()
  async list() {
    return (await this.clients.list()).map(toClientView);
  }

  /** Deleting a client makes its tokens inactive at once (introspection, auth-api's own endpoints). */
  @Delete(':clientId')
  @HttpCode(204)
  async delete(@Param('clientId') clientId: string): Promise<void> {
    if (!(await this.clients.delete(clientId)))
      throw new ApiError(404, 'not_found', 'no such client');
    await this.audit.record({ type: 'client.deleted', subjectId: clientId });
  }
}
