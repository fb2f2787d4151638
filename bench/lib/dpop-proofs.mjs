// DPoP proofs for the benchmarks (rows 3h and 8a): one ES256 client key and proofs made in bulk
// with node:crypto, each with its own jti and a fresh iat (a proof is accepted for a minute).
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A client key: its RFC 7638 thumbprint (`cnf.jkt`) and a maker of proofs of GET `url` over `token`. */
export function dpopClientKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const header = b64({ alg: 'ES256', typ: 'dpop+jwt', jwk });
  const jkt = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  /** `n` proofs: `{ proof, input, signature }` (the signing input and raw signature too, for row 8a's reference). */
  const proofs = (n, url, token) => {
    const iat = Math.floor(Date.now() / 1000);
    const ath = createHash('sha256').update(token).digest('base64url');
    return Array.from({ length: n }, () => {
      const input = `${header}.${b64({ jti: randomUUID(), htm: 'GET', htu: url, iat, ath })}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return { proof: `${input}.${signature.toString('base64url')}`, input, signature };
    });
  };
  return { jkt, publicKey, proofs };
}
