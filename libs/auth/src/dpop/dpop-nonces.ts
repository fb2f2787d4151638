import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stateless server nonces (RFC 9449 §8): a nonce names a time window and carries an HMAC of it,
 * so every instance that shares the secret issues and accepts the same nonces without storing
 * any. A nonce is accepted in its window and the next one (a client that just received one never
 * races a window change).
 */
export class DpopNonces {
  private readonly key: Buffer;

  constructor(
    secret: string | Buffer,
    private readonly windowSeconds = 300,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(secret);
    if (this.key.length < 32) throw new Error('the DPoP nonce secret must be at least 32 bytes');
  }

  /** The nonce to send now, in `DPoP-Nonce`. */
  current(): string {
    return this.forWindow(this.window());
  }

  isValid(nonce: string): boolean {
    const window = this.window();
    return [window, window - 1].some((candidate) => {
      const expected = Buffer.from(this.forWindow(candidate));
      const given = Buffer.from(nonce);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }

  private window(): number {
    return Math.floor(this.now() / 1000 / this.windowSeconds);
  }

  private forWindow(window: number): string {
    const mac = createHmac('sha256', this.key).update(`dpop-nonce:${window}`).digest();
    return `${window.toString(36)}.${mac.subarray(0, 16).toString('base64url')}`;
  }
}
