import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const PREFIX = 'enc:v1:';
/** Fixed, public salt: the key-encryption key is already high-entropy; scrypt only stretches short ones. */
const KDF_SALT = 'jwt-token/auth-api/key-encryption/v1';

function deriveKey(secret: string): Buffer {
  return scryptSync(secret, KDF_SALT, 32);
}

/**
 * AES-256-GCM sealing of secrets at rest (private keys, the refresh-token HMAC key). Seals with
 * the current key; opens with it or with an earlier one (the DATA_DIR key of an instance that
 * has since been given KEY_ENCRYPTION_KEY), so that such values can be resealed at start.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly earlierKeys: Buffer[];

  constructor(keyEncryptionKey: string, earlierKeyEncryptionKeys: string[] = []) {
    this.key = deriveKey(keyEncryptionKey);
    this.earlierKeys = earlierKeyEncryptionKeys.map(deriveKey);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  /** True when a stored value is in clear or sealed with an earlier key: it should be sealed again. */
  needsReseal(stored: string): boolean {
    return !SecretBox.isSealed(stored) || this.tryOpen(stored, this.key) === null;
  }

  open(stored: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    for (const key of [this.key, ...this.earlierKeys]) {
      const plain = this.tryOpen(stored, key);
      if (plain !== null) return plain;
    }
    throw new Error(
      'the stored secrets are sealed with another key: give every instance the same KEY_ENCRYPTION_KEY ' +
        '(without it, each instance uses its own DATA_DIR/key-encryption.key)',
    );
  }

  private tryOpen(stored: string, key: Buffer): string | null {
    const [iv, tag, body] = stored.slice(PREFIX.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(body ?? '', 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return null;
    }
  }
}
