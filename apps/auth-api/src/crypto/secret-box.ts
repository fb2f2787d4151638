import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const PREFIX = 'enc:v1:';
/** Fixed, public salt: the key-encryption key is already high-entropy; scrypt only stretches short ones. */
const KDF_SALT = 'jwt-token/auth-api/key-encryption/v1';

/**
 * AES-256-GCM sealing of secrets at rest (private keys, the refresh-token HMAC key) under
 * KEY_ENCRYPTION_KEY. Without a key it stores plain text: the README explains why to set one.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(keyEncryptionKey: string | undefined) {
    this.key = keyEncryptionKey ? scryptSync(keyEncryptionKey, KDF_SALT, 32) : null;
  }

  get encrypting(): boolean {
    return this.key !== null;
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  open(stored: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    if (!this.key) {
      throw new Error('stored secrets are encrypted: set KEY_ENCRYPTION_KEY to the key they were sealed with');
    }
    const [iv, tag, body] = stored.slice(PREFIX.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('KEY_ENCRYPTION_KEY does not open the stored secrets (wrong key?)');
    }
  }
}
