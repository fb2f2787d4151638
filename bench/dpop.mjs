// 8. DPoP (RFC 9449): the resource server's proof check alone (the library's DpopProofVerifier:
// header JSON, the embedded JWK imported, the ES256 signature, htm/htu/iat/ath/jti) against raw
// node:crypto verify of the same proofs' signatures, the floor any proof check pays.
//
//   node bench/dpop.mjs [--quick]   (standalone; `npm run bench` runs it too)
import { createHash, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';

import { accessTokenHash, DpopProofVerifier } from '@jwt-token/auth';

import { formatTable, isMain, log, parseOptions, row } from './lib/common.mjs';
import { measure } from './lib/micro.mjs';

const URL_ = 'https://api.bench.test/articles';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `n` proofs by one key, each with its own jti, signed with node:crypto (fast to make in bulk). */
function makeProofs(n) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const header = b64({ alg: 'ES256', typ: 'dpop+jwt', jwk });
  const iat = Math.floor(Date.now() / 1000);
  const ath = accessTokenHash(TOKEN);
  const proofs = [];
  for (let i = 0; i < n; i++) {
    const input = `${header}.${b64({ jti: randomUUID(), htm: 'GET', htu: URL_, iat, ath })}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    proofs.push({ proof: `${input}.${signature.toString('base64url')}`, input, signature });
  }
  const jkt = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return { proofs, publicKey, jkt };
}

export async function run(options = parseOptions()) {
  const n = options.quick ? 4000 : 20000;
  const { proofs, publicKey, jkt } = makeProofs(n);
  // The replay store is left out (every round reuses the proofs): an in-memory one is a Map
  // lookup and insert; a shared one (Redis) is a round trip, measured apart from the crypto.
  const verifier = new DpopProofVerifier({ replayStore: { firstUse: async () => true } });
  const request = { method: 'GET', url: URL_, accessToken: TOKEN, expectedJkt: jkt };
  const contenders = {
    library: { fn: (i) => verifier.verify(proofs[i % n].proof, request), async: true },
    raw: {
      fn: (i) => {
        const { input, signature } = proofs[i % n];
        return verify(
          'sha256',
          Buffer.from(input),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          signature,
        );
      },
    },
  };
  await contenders.library.fn(0);
  if (!contenders.raw.fn(0)) throw new Error('raw verify refused a proof');
  log(`dpop: ${n} distinct proofs, ${options.microRounds} rounds of ${options.microRoundMs} ms`);
  const results = await measure(contenders, {
    rounds: options.microRounds,
    roundMs: options.microRoundMs,
  });
  const rows = [
    row({
      id: '8a',
      group: 'dpop',
      name: 'DPoP proof check (DpopProofVerifier, ES256, replay store aside)',
      value: results.library.median,
      unit: '/s',
      refName: 'raw crypto.verify ES256 of the proof',
      refValue: results.raw.median,
      // The proof's own signature check dominates; the rest (JSON, thumbprint, claims) must stay small.
      target: { op: '>=', value: 0.6 },
      rounds: results.library.rounds,
      refRounds: results.raw.rounds,
      paired: true,
      note: 'includes importing the embedded JWK and the RFC 7638 thumbprint on every proof',
    }),
  ];
  return { rows, details: { results } };
}

if (isMain(import.meta.url)) {
  const { rows } = await run(parseOptions());
  console.log(formatTable(rows));
}
