import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

import { AUTH_RESOLVED_OPTIONS } from './auth.constants';
import { describeAuthError } from './auth-error.response';
import { AuthError } from './auth.errors';
import type { ResolvedAuthOptions } from './resolved-auth-options';

/**
 * Writes an {@link AuthError} as HTTP on Express and Fastify alike, through the mapping in
 * {@link describeAuthError}. In a GraphQL resolver it hands the error back to the
 * driver, which reports it in `errors[]` with its {@link AuthError.extensions}. (Nest applies no
 * global filter to gateways: the guards answer a gateway's message themselves.) Registered
 * globally by `AuthModule`; an app with its own catch-all filter can call {@link AuthExceptionFilter.catch} for `AuthError`s.
 */
@Catch(AuthError)
@Injectable()
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  catch(error: AuthError, host: ArgumentsHost): AuthError | undefined {
    if (host.getType<string>() === 'graphql') return error;
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    const described = describeAuthError(error, this.options.realm);
    if (described.wwwAuthenticate)
      httpAdapter.setHeader(response, 'WWW-Authenticate', described.wwwAuthenticate);
    httpAdapter.reply(response, described.body, described.status);
    return undefined;
  }
}
