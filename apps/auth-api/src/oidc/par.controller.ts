import {
  Body,
  Controller,
  Header,
  Headers,
  HttpCode,
  Inject,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiConsumes, ApiOperation } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';

import { Public } from '@jwt-token/auth';
import { OAuthError } from '@jwt-token/service-kit';

import { AcceptsDpop, type DpopProvenRequest } from '../dpop/dpop-proof.guard';
import { ClientAuthenticator, invalidClient } from '../oauth/client-authenticator';
import { assertFormEncoded, type FormBody } from '../oauth/oauth-params';
import { parseAuthorizationRequest, resolveClientPart } from './authorization-request';
import { AuthorizePageError, AuthorizeRedirectError } from './authorize-errors';
import { PUSHED_REQUEST_TTL_SECONDS, PushedRequests } from './pushed-requests.service';

/**
 * RFC 9126 pushed authorization requests: the client sends the authorization parameters
 * straight to auth-api, authenticated as at the token endpoint, and gets a `request_uri` to send
 * the browser with. The parameters are checked now, with the same rules as the authorization
 * endpoint, and answered as JSON errors (RFC 9126 §2.3). A `DPoP` proof sent here binds the code
 * to its key as `dpop_jkt` would (RFC 9449 §10.1); with both, they must name the same key.
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
  @AcceptsDpop('oauth')
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  async push(
    @Headers('authorization') authorization: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: FormBody,
    @Req() proven: DpopProvenRequest,
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
      if (proven.dpopJkt) {
        if (request.dpopJkt !== undefined && request.dpopJkt !== proven.dpopJkt)
          throw new OAuthError(
            'invalid_dpop_proof',
            'the DPoP proof is signed by another key than dpop_jkt names',
          );
        request.params.dpop_jkt = proven.dpopJkt;
      }
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
