import type { SessionEntity } from '../database/entities';

/** A session as its owner sees it. */
export function toSessionView(
  session: SessionEntity,
  currentSessionId?: string,
  clientName?: string | null,
) {
  return {
    id: session.id,
    /** The OpenID Connect client the session was authorized for; null: auth-api's own sign-in. */
    client: session.clientId ? { id: session.clientId, name: clientName ?? null } : null,
    current: session.id === currentSessionId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
  };
}
