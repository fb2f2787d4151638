import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Observable } from 'rxjs';

import type { AuthPrincipal } from '@jwt-token/auth';

/** Who is calling and from where, for the audit events a request records. */
export interface AuditContext {
  actorId: string | null;
  ip: string | null;
  userAgent: string | null;
}

export const auditContext = new AsyncLocalStorage<AuditContext>();

/**
 * Runs each handler inside an {@link auditContext} built from the request (after the guards, so
 * the verified principal is known): services record events without passing the request around.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context
      .switchToHttp()
      .getRequest<{ user?: AuthPrincipal; ip?: string; headers: Record<string, unknown> }>();
    const userAgent = request.headers['user-agent'];
    const store: AuditContext = {
      actorId: request.user?.sub ?? null,
      ip: request.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 512) : null,
    };
    return auditContext.run(store, () => next.handle());
  }
}
