import type { SessionEntity } from '../database/entities';

/** A session as its owner sees it. */
export function toSessionView(session: SessionEntity, currentSessionId?: string) {
  return {
    id: session.id,
    current: session.id === currentSessionId,
    createdAt: new Date(session.createdAt).toISOString(),
    lastUsedAt: new Date(session.lastUsedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
  };
}
