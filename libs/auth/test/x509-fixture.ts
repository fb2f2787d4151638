import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A self-signed RSA certificate (valid for a century from 2026-12-03) and its private key, made
 * once with `openssl req -x509 -newkey rsa:2048 -days 36500`: Node cannot mint certificates, and
 * the X.509 key source needs a real one.
 */
export const X509_CERT = readFileSync(join(__dirname, 'fixtures', 'x509-signer.cert.pem'), 'utf8');
export const X509_KEY = createPrivateKey(
  readFileSync(join(__dirname, 'fixtures', 'x509-signer.key.pem'), 'utf8'),
);
