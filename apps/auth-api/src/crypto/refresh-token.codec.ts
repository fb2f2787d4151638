import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a refresh token names: a session and a generation of its token. */
export interface RefreshTokenRef {
  sessionId: string;
  generation: number;
}

const UUID_BYTES = 16;
const GENERATION_BYTES = 4;
const MAC_BYTES = 32;
const TOKEN_BYTES = UUID_BYTES + GENERATION_BYTES + MAC_BYTES;

function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Refresh tokens are `base64url(sessionId ‖ generation ‖ HMAC-SHA256(secret, sessionId ‖ generation ‖ salt))`:
 * 256 bits that only the holder of the server secret can produce. The database keeps the salt
 * and generation but never a presentable token, and the server can re-derive the session's
 * current token to answer a racing replay (the contract's reuse interval).
 */
export class RefreshTokenCodec {
  constructor(private readonly secret: Buffer) {}

  encode(ref: RefreshTokenRef, salt: string): string {
    const head = this.head(ref);
    return Buffer.concat([head, this.mac(head, salt)]).toString('base64url');
  }

  /** Parses the token's structure; the MAC is checked against the session's salt with {@link matches}. */
  decode(token: string): (RefreshTokenRef & { mac: Buffer }) | null {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{70}$/.test(token)) return null;
    const bytes = Buffer.from(token, 'base64url');
    // Canonical form only: the last character's unused bits would otherwise give each token 16 spellings.
    if (bytes.length !== TOKEN_BYTES || bytes.toString('base64url') !== token) return null;
    return {
      sessionId: bytesToUuid(bytes.subarray(0, UUID_BYTES)),
      generation: bytes.readUInt32BE(UUID_BYTES),
      mac: bytes.subarray(UUID_BYTES + GENERATION_BYTES),
    };
  }

  matches(decoded: RefreshTokenRef & { mac: Buffer }, salt: string): boolean {
    return timingSafeEqual(decoded.mac, this.mac(this.head(decoded), salt));
  }

  private head(ref: RefreshTokenRef): Buffer {
    const generation = Buffer.alloc(GENERATION_BYTES);
    generation.writeUInt32BE(ref.generation);
    return Buffer.concat([uuidToBytes(ref.sessionId), generation]);
  }

  private mac(head: Buffer, salt: string): Buffer {
    return createHmac('sha256', this.secret).update(head).update(salt).digest();
  }
}
