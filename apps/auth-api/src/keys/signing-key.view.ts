import type { SigningKeyEntity } from '../database/entities';

/** A signing key as admins see it: identity, algorithm, state and dates; never key material. */
export interface SigningKeyView {
  kid: string;
  alg: string;
  /** `next`: published, not signing yet; `active`: signs new tokens; `retired`: published until its tokens expire. */
  state: 'next' | 'active' | 'retired';
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function toSigningKeyView(key: SigningKeyEntity): SigningKeyView {
  const state = key.retiredAt !== null ? 'retired' : key.activatedAt === null ? 'next' : 'active';
  return {
    kid: key.kid,
    alg: key.alg,
    state,
    createdAt: iso(key.createdAt)!,
    activatedAt: iso(key.activatedAt),
    retiredAt: iso(key.retiredAt),
  };
}

const STATE_ORDER: Record<SigningKeyView['state'], number> = { next: 0, active: 1, retired: 2 };

/** Next, then active, then retired keys, each newest first: the order a rotation moves them through. */
export function compareSigningKeyViews(a: SigningKeyView, b: SigningKeyView): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    b.createdAt.localeCompare(a.createdAt) ||
    a.kid.localeCompare(b.kid)
  );
}
