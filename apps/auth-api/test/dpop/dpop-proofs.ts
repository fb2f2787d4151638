import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type * as oauth from 'oauth4webapi';

import { DEBIAN_PYTHON, requireDebianPython } from '../debian-python';

/** The key pair oauth4webapi's `DPoP()` takes (WebCrypto keys). */
type ClientKeyPair = Parameters<typeof oauth.DPoP>[1];

/** A client's DPoP key: what oauth4webapi's `DPoP()` takes, its public JWK and thumbprint. */
export interface DpopKey {
  keys: ClientKeyPair;
  jwk: JWK;
  jkt: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const keys = (await generateKeyPair(alg, { extractable: true })) as unknown as ClientKeyPair;
  const jwk = await exportJWK(keys.publicKey);
  return { keys, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

export interface ProofOptions {
  htm?: string;
  htu: string;
  iat?: number;
  jti?: string;
  accessToken?: string;
  nonce?: string;
  /** Replaces or adds protected-header members (a forged `typ`, a private `jwk`...). */
  header?: Record<string, unknown>;
}

/** A proof minted with jose (for the hostile cases oauth4webapi would never send). */
export async function proof(key: DpopKey, options: ProofOptions): Promise<string> {
  const payload: Record<string, unknown> = {
    htm: options.htm ?? 'POST',
    htu: options.htu,
    jti: options.jti ?? randomUUID(),
    iat: options.iat ?? Math.floor(Date.now() / 1000),
  };
  if (options.accessToken)
    payload.ath = createHash('sha256').update(options.accessToken).digest('base64url');
  if (options.nonce) payload.nonce = options.nonce;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk, ...options.header })
    .sign(key.keys.privateKey);
}

/** Debian's python3-jwcrypto is there (`.ci/run` installs it and then requires it). */
export const hasJwcrypto = requireDebianPython('python3-jwcrypto', 'jwcrypto');

/** A key made by jwcrypto: its private JWK (JSON, for later proofs) and its own thumbprint. */
export function jwcryptoKey(): { key: string; jkt: string } {
  const script = `
import json
from jwcrypto import jwk
key = jwk.JWK.generate(kty='EC', crv='P-256')
print(json.dumps({'jkt': key.thumbprint(), 'key': key.export(private_key=True)}))
`;
  return JSON.parse(execFileSync(DEBIAN_PYTHON, ['-c', script], { encoding: 'utf8' }));
}

/** A proof minted by jwcrypto with that key, unchanged. */
export function jwcryptoProof(key: string, htm: string, htu: string, accessToken?: string): string {
  const script = `
import sys, time, uuid, hashlib, base64
from jwcrypto import jwk, jwt
key = jwk.JWK.from_json(sys.argv[1])
claims = {'jti': str(uuid.uuid4()), 'htm': sys.argv[2], 'htu': sys.argv[3], 'iat': int(time.time())}
if len(sys.argv) > 4:
    digest = hashlib.sha256(sys.argv[4].encode()).digest()
    claims['ath'] = base64.urlsafe_b64encode(digest).rstrip(b'=').decode()
t = jwt.JWT(header={'alg': 'ES256', 'typ': 'dpop+jwt', 'jwk': key.export_public(as_dict=True)}, claims=claims)
t.make_signed_token(key)
print(t.serialize())
`;
  const args = ['-c', script, key, htm, htu, ...(accessToken ? [accessToken] : [])];
  return execFileSync(DEBIAN_PYTHON, args, { encoding: 'utf8' }).trim();
}
