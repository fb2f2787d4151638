import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import type { DpopProvenRequest } from '../dpop/dpop-proof.guard';
import type { ClientContext } from '../sessions/sessions.service';

/** The caller's IP and user agent, recorded on sessions, and the key its DPoP proof was signed with. */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientContext => {
    const request = context
      .switchToHttp()
      .getRequest<
        { ip?: string; headers: Record<string, string | undefined> } & DpopProvenRequest
      >();
    const userAgent = request.headers['user-agent'];
    return {
      ip: request.ip,
      userAgent: typeof userAgent === 'string' ? userAgent : undefined,
      ...(request.dpopJkt ? { dpopJkt: request.dpopJkt } : {}),
    };
  },
);
