/**
 * Why a DPoP proof was refused (RFC 9449 §7.1): `invalid_dpop_proof` for a proof that is
 * missing, malformed, forged, stale, replayed or not bound to the token; `use_dpop_nonce` when the
 * server demands a nonce the proof lacks (the answer then carries a fresh `DPoP-Nonce`).
 */
export class DpopError extends Error {
  override readonly name = 'DpopError';

  constructor(
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce',
    message: string,
  ) {
    super(message);
  }
}
