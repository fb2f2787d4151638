import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';

import { accessTokenHash, DpopProofVerifier } from '../dpop/dpop-proof.verifier';
import { DpopError } from '../dpop/dpop-error';
import { TestDpopKey } from './test-dpop-key';

const URL_ = 'https://api.example/me';

describe(TestDpopKey.name, () => {
  const key = TestDpopKey.generate();

  it('makes proofs jose verifies, with the thumbprint jose computes', async () => {
    const proof = key.proof('GET', `${URL_}?page=2#top`, 'the-token');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
    });
    expect(payload).toEqual({
      jti: expect.any(String),
      htm: 'GET',
      htu: URL_,
      iat: expect.any(Number),
      ath: accessTokenHash('the-token'),
    });
    expect(await calculateJwkThumbprint(protectedHeader.jwk as never)).toBe(key.jkt);
    expect(key.cnf).toEqual({ jkt: key.jkt });
    expect(protectedHeader.jwk).not.toHaveProperty('d');
  });

  it("passes the library's own proof check, bound to its key", async () => {
    const verifier = new DpopProofVerifier();
    const request = { method: 'POST', url: URL_, accessToken: 't', expectedJkt: key.jkt };
    await expect(verifier.verify(key.proof('POST', URL_, 't'), request)).resolves.toMatchObject({
      jkt: key.jkt,
    });
    // Another key's proof for the same request is refused: cnf.jkt binds.
    const other = TestDpopKey.generate().proof('POST', URL_, 't');
    await expect(verifier.verify(other, request)).rejects.toBeInstanceOf(DpopError);
  });

  it('gives every proof its own jti, and takes overrides for the hostile cases', async () => {
    const [a, b] = [key.proof('GET', URL_), key.proof('GET', URL_)];
    const jtiOf = (proof: string) =>
      JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString()).jti;
    expect(jtiOf(a)).not.toBe(jtiOf(b));
    const hostile = key.proof('GET', URL_, undefined, {
      claims: { htm: null, jti: 'fixed-jti-1' },
      header: { typ: 'JWT' },
      iatOffsetSeconds: -600,
      nonce: 'n-1',
    });
    const claims = JSON.parse(Buffer.from(hostile.split('.')[1], 'base64url').toString());
    expect(claims).not.toHaveProperty('htm');
    expect(claims).toMatchObject({ jti: 'fixed-jti-1', nonce: 'n-1' });
    expect(claims.iat).toBeLessThan(Date.now() / 1000 - 590);
    expect(decodeProtectedHeader(hostile).typ).toBe('JWT');
  });
});
