import {
  Body,
  Controller,
  Header,
  Headers,
  HttpCode,
  Inject,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';

import { Public } from '@jwt-token/auth';

import { Client } from '../common/client-context';
import { AcceptsDpop } from '../dpop/dpop-proof.guard';
import type { ClientContext } from '../sessions/sessions.service';
import { ClientAuthenticator, invalidClient } from './client-authenticator';
import { OAuthGrantsService } from './oauth-grants.service';
import { assertFormEncoded, type FormBody, optionalParam, requiredParam } from './oauth-params';
import { TokenIntrospectionService } from './token-introspection.service';

/** RFC 6749 token endpoint, RFC 7009 revocation, RFC 7662 introspection (form-encoded bodies). */
@Public()
@Controller('oauth')
export class OAuthController {
  constructor(
    @Inject(ClientAuthenticator) private readonly clients: ClientAuthenticator,
    @Inject(OAuthGrantsService) private readonly grants: OAuthGrantsService,
    @Inject(TokenIntrospectionService) private readonly introspection: TokenIntrospectionService,
  ) {}

  @ApiOperation({
    summary:
      'RFC 6749 token endpoint: client_credentials, authorization_code and refresh_token grants; ' +
      'a DPoP header (RFC 9449) binds the tokens to its key',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: {
          type: 'string',
          enum: ['client_credentials', 'authorization_code', 'refresh_token'],
        },
        scope: { type: 'string' },
        refresh_token: { type: 'string' },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
      },
    },
  })
  @UseGuards(ThrottlerGuard)
  @AcceptsDpop('oauth')
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  async token(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: FormBody,
    @Client() client: ClientContext,
  ) {
    assertFormEncoded(contentType);
    const identity = await this.clients.identify(authorization, body);
    return this.grants.grant(identity, body, client);
  }

  @ApiOperation({
    summary: 'RFC 7009 revocation of a refresh or access token (200 also for unknown tokens)',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string' },
        token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
      },
    },
  })
  @UseGuards(ThrottlerGuard)
  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async revoke(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: FormBody,
  ): Promise<void> {
    assertFormEncoded(contentType);
    const identity = await this.clients.identify(authorization, body);
    if (identity.kind === 'anonymous') {
      throw invalidClient('client authentication is required');
    }
    const token = requiredParam(body, 'token', 8192);
    optionalParam(body, 'token_type_hint', 100);
    await this.introspection.revoke(identity, token);
  }

  @ApiOperation({ summary: 'RFC 7662 introspection (client-authenticated)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['token'],
      properties: {
        token: { type: 'string' },
        token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
        client_id: { type: 'string' },
        client_secret: { type: 'string' },
      },
    },
  })
  @Post('introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async introspect(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: FormBody,
  ) {
    assertFormEncoded(contentType);
    await this.clients.requireConfidential(authorization, body);
    const token = requiredParam(body, 'token', 8192);
    return this.introspection.introspect(token, optionalParam(body, 'token_type_hint', 100));
  }
}
