import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Observable, throwError } from 'rxjs';

import { AUTH_RESOLVED_OPTIONS } from './auth.constants';
import { describeAuthError, describeAuthErrorForRpc } from './auth-error.response';
import { AuthError } from './auth.errors';
import type { ResolvedAuthOptions } from './resolved-auth-options';
import { isRpcEvent } from './rpc-request';

/**
 * Writes an {@link AuthError} as HTTP on Express and Fastify alike, through the mapping in
 * {@link describeAuthError}. In a GraphQL resolver it hands the error back to the
 * driver, which reports it in `errors[]` with its {@link AuthError.extensions}. On a
 * microservice message it answers as Nest's `BaseRpcExceptionFilter` does for an `RpcException`
 * of {@link describeAuthErrorForRpc}'s object; a refused event, which has nobody to answer, is
 * logged instead. (Nest applies no global filter to gateways: the guards answer a gateway's
 * message themselves.) Registered globally by `AuthModule`; an app with its own catch-all filter can
 * call {@link AuthExceptionFilter.catch} for `AuthError`s.
 *
 * @example
 * ```ts
 * @Catch()
 * export class AppExceptionFilter implements ExceptionFilter {
 *   constructor(private readonly auth: AuthExceptionFilter) {}
 *   catch(error: unknown, host: ArgumentsHost) {
 *     if (error instanceof AuthError) return this.auth.catch(error, host);
 *     …
 *   }
 * }
 * ```
 */
@Catch(AuthError)
@Injectable()
export class AuthExceptionFilter implements ExceptionFilter<AuthError> {
  private readonly logger = new Logger('AuthExceptionFilter');

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_RESOLVED_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  catch(error: AuthError, host: ArgumentsHost): AuthError | Observable<never> | undefined {
    const type = host.getType<string>();
    if (type === 'graphql') return error;
    if (type === 'rpc') return this.refuseMessage(error, host);
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse();
    const described = describeAuthError(error, this.options.realm);
    if (described.wwwAuthenticate)
      httpAdapter.setHeader(response, 'WWW-Authenticate', described.wwwAuthenticate);
    if (described.dpopNonce) httpAdapter.setHeader(response, 'DPoP-Nonce', described.dpopNonce);
    httpAdapter.reply(response, described.body, described.status);
    return undefined;
  }

  /**
   * Nest's transports send an errored stream's error to the caller. An event's stream is never
   * subscribed, so its refusal would vanish: it is logged, with the code and message only (the
   * library's messages never quote the token).
   */
  private refuseMessage(error: AuthError, host: ArgumentsHost): Observable<never> {
    const described = describeAuthErrorForRpc(error);
    if (isRpcEvent(host.getArgByIndex<unknown>(1)))
      this.logger.warn(`refused event: ${described.code} ${described.message}`);
    return throwError(() => described);
  }
}
