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
  /**
   * `n` proofs: `{ proof, input, signature, token }` (the signing input and raw signature too, for
   * row 8a's reference). `tokens` is one token, or a list the proofs take in turn (proof i is over
   * `tokens[i % length]`, returned as `token`).
   */
  const proofs = (n, url, tokens) => {
    const list = Array.isArray(tokens) ? tokens : [tokens];
    const iat = Math.floor(Date.now() / 1000);
    const aths = new Map();
    const athOf = (token) => {
      if (!aths.has(token)) aths.set(token, createHash('sha256').update(token).digest('base64url'));
      return aths.get(token);
    };
    return Array.from({ length: n }, (_, i) => {
      const token = list[i % list.length];
      const claims = { jti: randomUUID(), htm: 'GET', htu: url, iat, ath: athOf(token) };
      const input = `${header}.${b64(claims)}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return { proof: `${input}.${signature.toString('base64url')}`, input, signature, token };
    });
  };
  return { jkt, publicKey, proofs };
}
