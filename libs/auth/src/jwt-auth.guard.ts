import { type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import passport from 'passport';

import { AUTH_RESOLVED_OPTIONS, IS_PUBLIC_KEY, JWT_STRATEGY_NAME } from './auth.constants';
import { AuthError } from './auth.errors';
import { type AuthRequest, authRequestOf } from './auth-request';
import { extractBearerToken } from './bearer-token.extractor';
import {
  asDpopChallenge,
  assertDpopRequest,
  dpopTokenOf,
  refuseAsBearer,
  type ResolvedDpop,
} from './dpop/dpop-request';
import type { ResolvedAuthOptions } from './resolved-auth-options';
import type { AuthPrincipal } from './interfaces/auth-principal.interface';
import { JwtStrategy } from './jwt.strategy';
import { RouteMetadata } from './route-metadata';
import { decideForSocket, isSocketMessage } from './socket-exception';
import { TokenVerifier } from './token-verifier';

const BEARER_PREFIX_LENGTH = 'Bearer '.length;

/**
 * `AuthGuard('jwt')` that honours `@Public()` and turns every refusal into an {@link AuthError}
 * (mapped to 401 and `WWW-Authenticate` by the library's exception filter).
 * Global by default; with `globalGuards: false` use `@UseGuards(JwtAuthGuard, RolesGuard)`.
 *
 * While the strategy passport holds under `'jwt'` is the library's own {@link JwtStrategy}, the
 * guard makes that strategy's decision itself (the same {@link TokenVerifier}, the same errors, the
 * same `handleRequest`), without passport's per-request plumbing: a promise, closures and a copy
 * of the strategy per request cost more than checking a cached token, and a fifth of a whole
 * request on a fresh one (measured in `bench/`). A token whose key is loaded is decided
 * synchronously. Register another strategy under `'jwt'` (or a subclass of `JwtStrategy`) and every
 * request goes through passport and that strategy.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  /**
   * Property-injected so that subclasses keep their constructors; absent (a guard built with
   * `new`), every request takes the passport path.
   */
  @Optional() @Inject(TokenVerifier) private readonly verifier?: TokenVerifier;

  /** Property-injected like the verifier; DPoP needs the resolved options. */
  @Optional() @Inject(AUTH_RESOLVED_OPTIONS) private readonly options?: ResolvedAuthOptions;

  /** For the `DPoP-Nonce` of an accepted request, on Express and Fastify alike. */
  @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost;

  private readonly publicRoutes: RouteMetadata<boolean>;

  constructor(@Inject(Reflector) reflector: Reflector) {
    super();
    this.publicRoutes = new RouteMetadata(reflector, IS_PUBLIC_KEY);
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return isSocketMessage(context)
      ? decideForSocket(context, () => this.activate(context))
      : this.activate(context);
  }

  private activate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.publicRoutes.of(context)) return true;
    if (!this.verifier || !usesLibraryStrategy())
      return super.canActivate(context) as Promise<boolean>;
    return this.decide(context, this.verifier);
  }

  /** The request on any transport (see {@link authRequestOf}); on HTTP, `switchToHttp()` as before. */
  override getRequest<T = AuthRequest>(context: ExecutionContext): T {
    return authRequestOf(context) as T;
  }

  override handleRequest<TUser = AuthPrincipal>(
    error: unknown,
    user: unknown,
    info: unknown,
    _context?: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (!user) {
      throw info instanceof AuthError
        ? info
        : new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
    }
    return user as TUser;
  }

  /** What `JwtStrategy.authenticate` and `AuthGuard.canActivate` do together, step for step. */
  private decide(context: ExecutionContext, verifier: TokenVerifier): boolean | Promise<boolean> {
    const request = this.getRequest(context) as AuthRequest;
    // A token verified moments ago is found by its exact text, so the usual header is probed
    // before the header grammar is checked: a cached token passed that check, and every other check.
    const header = request.headers?.authorization;
    if (typeof header === 'string' && header.startsWith('Bearer ')) {
      const cached = verifier.verifiedFromCache(header.slice(BEARER_PREFIX_LENGTH));
      if (cached) return this.conclude(context, request, undefined, cached);
    }
    let token: string | null;
    let principal: AuthPrincipal | undefined;
    try {
      const dpopToken = this.options ? dpopTokenOf(request) : null;
      if (dpopToken !== null && this.options)
        return this.decideDpop(context, request, verifier, dpopToken, this.options.dpop);
      token = extractBearerToken(request);
      if (token === null) throw new AuthError('ERR_TOKEN_MISSING', 'a bearer token is required');
      principal = verifier.verifySync(token);
    } catch (error) {
      return this.conclude(context, request, error, undefined);
    }
    if (principal) return this.conclude(context, request, undefined, principal);
    return verifier.verify(token).then(
      (verified) => this.conclude(context, request, undefined, verified),
      (error: unknown) => this.conclude(context, request, error, undefined),
    );
  }

  /** A `DPoP`-scheme request: the token as usual, then its proof; every refusal challenged as DPoP. */
  private async decideDpop(
    context: ExecutionContext,
    request: AuthRequest,
    verifier: TokenVerifier,
    token: string,
    dpop: ResolvedDpop,
  ): Promise<boolean> {
    try {
      const principal = await verifier.verify(token);
      const { nextNonce } = await assertDpopRequest(request, token, principal, dpop);
      if (nextNonce) this.handOutNonce(context, nextNonce);
      return this.conclude(context, request, undefined, principal, true);
    } catch (error) {
      const refusal = error instanceof AuthError ? asDpopChallenge(error, dpop) : error;
      return this.conclude(context, request, refusal, undefined);
    }
  }

  /** RFC 9449 §8.2: a fresher nonce on a successful answer, so the client never meets a refusal. */
  private handOutNonce(context: ExecutionContext, nonce: string): void {
    const httpAdapter = this.adapterHost?.httpAdapter;
    if (context.getType() !== 'http' || !httpAdapter) return;
    httpAdapter.setHeader(context.switchToHttp().getResponse(), 'DPoP-Nonce', nonce);
  }

  /**
   * As passport reports to `AuthGuard`: a refusal is `info` (401), anything else an error; the
   * (possibly overridden) `handleRequest` decides, and what it returns lands on `request.user`.
   */
  private conclude(
    context: ExecutionContext,
    request: AuthRequest,
    error: unknown,
    principal: AuthPrincipal | undefined,
    provenByDpop = false,
  ): true {
    // A bound token is never a bearer token (RFC 9449 §7.2), on any transport.
    if (principal && !provenByDpop && this.options) {
      const refusal = refuseAsBearer(principal, this.options.dpop);
      if (refusal) {
        error = refusal;
        principal = undefined;
      }
    }
    const user =
      error instanceof AuthError
        ? this.handleRequest(null, false, error, context)
        : this.handleRequest(error ?? null, principal ?? false, undefined, context);
    request.user = user;
    return true;
  }
}

/** True while passport's `'jwt'` strategy is exactly the library's {@link JwtStrategy}. */
function usesLibraryStrategy(): boolean {
  const registry = passport as unknown as { _strategy?: (name: string) => unknown };
  const strategy =
    typeof registry._strategy === 'function' ? registry._strategy(JWT_STRATEGY_NAME) : undefined;
  return strategy instanceof JwtStrategy && strategy.constructor === JwtStrategy;
}
