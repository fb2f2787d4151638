import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { Public } from '@jwt-token/auth';
import { ApiError } from '@jwt-token/service-kit';

import { type ConsoleAsset, ConsoleAssets } from './console-assets';
import { CSRF_COOKIE, CSRF_COOKIE_PATH, readCookie, serializeCookie } from './console-cookies';
import { ConsoleCsrf } from './console-csrf';

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: ConsoleAsset | null | undefined,
  cacheControl: string,
): FastifyReply {
  if (!asset) throw new ApiError(404, 'not_found', 'no such console file');
  reply.header('Cache-Control', cacheControl).header('ETag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.code(200).type(asset.contentType).send(asset.body);
}

/** `GET /console`: the web console's page, and its scripts and styles under `/console/assets/`. */
@Public()
@ApiExcludeController()
@Controller('console')
export class ConsolePageController {
  constructor(
    @Inject(ConsoleAssets) private readonly files: ConsoleAssets,
    @Inject(ConsoleCsrf) private readonly csrf: ConsoleCsrf,
  ) {}

  /** The page also hands out the sign-in form's CSRF token when the browser holds none. */
  @Get()
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    if (!readCookie(request.headers.cookie, CSRF_COOKIE)) {
      reply.header(
        'Set-Cookie',
        serializeCookie(CSRF_COOKIE, this.csrf.preSessionToken(), {
          path: CSRF_COOKIE_PATH,
          httpOnly: false,
        }),
      );
    }
    return send(request, reply, this.files.page, 'no-cache');
  }

  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    return send(request, reply, this.files.asset(name), 'no-cache');
  }
}
