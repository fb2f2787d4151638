import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';

/** A jose key pair whose private half can be exported (for the hostile proofs). */
export type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
/** WebCrypto's CryptoKeyPair (the workspace compiles without the DOM lib). */
export type ClientKeyPair = Parameters<typeof oauth.DPoP>[1];

/** A client key pair as oauth4webapi wants it (WebCrypto, non-extractable private key). */
export async function clientKeys(): Promise<ClientKeyPair> {
  return (await generateKeyPair('ES256')) as unknown as ClientKeyPair;
}

export function extractableKeys(): Promise<KeyPair> {
  return generateKeyPair('ES256', { extractable: true });
}

export async function thumbprintOf(keys: { publicKey: unknown }): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(keys.publicKey as never));
}

/** A proof made by hand, for the hostile cases oauth4webapi would never send. */
export async function handProof(
  keys: KeyPair,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ jti: randomUUID(), iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({
      alg: 'ES256',
      typ: 'dpop+jwt',
      jwk: await exportJWK(keys.publicKey),
      ...header,
    })
    .sign(keys.privateKey);
}

/**
 * The proof oauth4webapi attaches to a `method` request for `url`: captured by a fetch stand-in,
 * so that the independent client builds it while the test delivers it wherever it must go.
 */
export async function proofFromOauth4webapi(
  dpop: oauth.DPoPHandle,
  token: string,
  url: URL,
  method = 'GET',
): Promise<string> {
  let captured = '';
  await oauth
    .protectedResourceRequest(token, method, url, undefined, null, {
      DPoP: dpop,
      [oauth.allowInsecureRequests]: true,
      [oauth.customFetch]: async (_url: string, init: RequestInit) => {
        captured = new Headers(init.headers).get('dpop') ?? '';
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    })
    .catch(() => undefined);
  return captured;
}

const PYTHON = '/usr/bin/python3';

/** Debian's python3-jwcrypto is there (`.ci/run` installs it and then requires it). */
export const jwcryptoAvailable = (() => {
  let available = false;
  try {
    execFileSync(PYTHON, ['-c', 'import jwcrypto'], { stdio: 'ignore' });
    available = existsSync(PYTHON);
  } catch {
    available = false;
  }
  // `.ci/run` installs the oracles and sets this: there a missing one fails, never skips.
  if (!available && process.env.TEST_REQUIRE_ORACLES === '1')
    throw new Error('python3-jwcrypto is required (TEST_REQUIRE_ORACLES=1)');
  return available;
})();

/** A P-256 key made by jwcrypto: its private JWK (JSON) and jwcrypto's own RFC 7638 thumbprint. */
export function jwcryptoKey(): { key: string; jkt: string } {
  const script = `
import json
from jwcrypto import jwk
key = jwk.JWK.generate(kty='EC', crv='P-256')
print(json.dumps({'jkt': key.thumbprint(), 'key': key.export(private_key=True)}))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }));
}

/** A proof minted by jwcrypto with that key, unchanged. */
export function jwcryptoProof(key: string, htm: string, htu: string, ath: string): string {
  const mint = `
import sys, uuid, time
from jwcrypto import jwk, jwt
key = jwk.JWK.from_json(sys.argv[1])
claims = {'jti': str(uuid.uuid4()), 'htm': sys.argv[2], 'htu': sys.argv[3], 'iat': int(time.time()), 'ath': sys.argv[4]}
t = jwt.JWT(header={'alg': 'ES256', 'typ': 'dpop+jwt', 'jwk': key.export_public(as_dict=True)}, claims=claims)
t.make_signed_token(key)
print(t.serialize())
`;
  return execFileSync(PYTHON, ['-c', mint, key, htm, htu, ath], { encoding: 'utf8' }).trim();
}
