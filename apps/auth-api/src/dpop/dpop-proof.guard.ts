import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';

import { type DpopErrorStyle, IssuerDpop, type ProofRequest } from './issuer-dpop';

const DPOP_ERROR_STYLE = 'auth-api:dpop-error-style';

/** A request whose `DPoP` proof passed: the thumbprint the tokens it gets are bound to. */
export interface DpopProvenRequest {
  dpopJkt?: string;
}

/**
 * Checks the `DPoP` proof of a token-issuing route (when one is sent) before the handler runs, and
 * leaves its key's thumbprint on the request, where `@Client()` picks it up for the session and
 * the token issuer. A guard rather than a pipe: the proof is a header, and its check is async.
 */
@Injectable()
export class DpopProofGuard implements CanActivate {
  constructor(
    @Inject(IssuerDpop) private readonly dpop: IssuerDpop,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ProofRequest & DpopProvenRequest>();
    const style =
      this.reflector.get<DpopErrorStyle | undefined>(DPOP_ERROR_STYLE, context.getHandler()) ??
      this.reflector.get<DpopErrorStyle | undefined>(DPOP_ERROR_STYLE, context.getClass()) ??
      'api';
    const proof = await this.dpop.proofOf(request, style);
    request.dpopJkt = proof?.jkt;
    if (proof?.nextNonce)
      context.switchToHttp().getResponse<FastifyReply>().header('DPoP-Nonce', proof.nextNonce);
    return true;
  }
}

/** The route issues tokens and binds them to the key of the request's DPoP proof, if any. */
export function AcceptsDpop(errors: DpopErrorStyle = 'api'): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(DPOP_ERROR_STYLE, errors), UseGuards(DpopProofGuard));
}
