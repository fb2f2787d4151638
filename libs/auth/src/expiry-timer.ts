/** setTimeout holds at most 2^31-1 ms (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onExpiry` once the current principal's token has expired: what ends a graphql-ws
 * connection or a WebSocket at `exp`. Re-armed by each `arm` (a newer principal), cleared when
 * the connection closes. The timer never keeps the process alive.
 */
export class ExpiryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onExpiry: () => void) {}

  /** `expiresAt` in seconds since the epoch (a principal's `expiresAt`); `undefined` clears. */
  arm(expiresAt: number | undefined): void {
    this.clear();
    if (typeof expiresAt === 'number') this.wait(expiresAt * 1000);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private wait(expiresAtMs: number): void {
    const wait = expiresAtMs - Date.now();
    if (wait <= 0) {
      this.onExpiry();
      return;
    }
    this.timer = setTimeout(() => this.wait(expiresAtMs), Math.min(wait, MAX_TIMER_MS));
    this.timer.unref?.();
  }
}
