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
import { ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';

import { Public } from '@jwt-token/auth';
import { OAuthError } from '@jwt-token/service-kit';

import { ClientAuthenticator, invalidClient } from '../oauth/client-authenticator';
import { assertFormEncoded, type FormBody } from '../oauth/oauth-params';
import { parseAuthorizationRequest, resolveClientPart } from './authorization-request';
import { AuthorizePageError, AuthorizeRedirectError } from './authorize-errors';
import { PUSHED_REQUEST_TTL_SECONDS, PushedRequests } from './pushed-requests.service';

/**
 * RFC 9126 pushed authorization requests: the client sends the authorization parameters
 * straight to auth-api, authenticated as at the token endpoint, and gets a `request_uri` to send
 * the browser with. The parameters are checked now, with the same rules as the authorization
 * endpoint, and answered as JSON errors (RFC 9126 §2.3).
 */
@Public()
@Controller('oauth/par')
export class ParController {
  constructor(
    @Inject(ClientAuthenticator) private readonly authenticator: ClientAuthenticator,
    @Inject(PushedRequests) private readonly pushed: PushedRequests,
  ) {}

  @ApiOperation({ summary: 'RFC 9126 pushed authorization request' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @UseGuards(ThrottlerGuard)
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async push(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: FormBody,
  ): Promise<{ request_uri: string; expires_in: number }> {
    assertFormEncoded(contentType);
    const identity = await this.authenticator.identify(authorization, body);
    const client = identity.kind === 'anonymous' ? undefined : identity.client;
    if (!client) throw invalidClient('client authentication is required');
    const raw: Record<string, unknown> = { ...body, client_id: client.clientId };
    if (raw.request_uri !== undefined)
      throw new OAuthError('invalid_request', 'request_uri cannot be pushed');
    try {
      const { redirectUri } = await resolveClientPart(raw, async () => client);
      const request = parseAuthorizationRequest(raw, client, redirectUri);
      const requestUri = await this.pushed.push(client.clientId, request.params);
      return { request_uri: requestUri, expires_in: PUSHED_REQUEST_TTL_SECONDS };
    } catch (error) {
      if (error instanceof AuthorizePageError)
        throw new OAuthError('invalid_request', error.description);
      if (error instanceof AuthorizeRedirectError)
        throw new OAuthError(
          error.code === 'invalid_scope' ? 'invalid_scope' : 'invalid_request',
          error.description,
        );
      throw error;
    }
  }
}
