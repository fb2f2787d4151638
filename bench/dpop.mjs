// 8. DPoP (RFC 9449): the resource server's proof check alone (the library's DpopProofVerifier:
// header JSON, the embedded JWK imported, the ES256 signature, htm/htu/iat/ath/jti) against raw
// node:crypto verify of the same proofs' signatures, the floor any proof check pays.
//
//   node bench/dpop.mjs [--quick]   (standalone; `npm run bench` runs it too)
import { verify } from 'node:crypto';

import { DpopProofVerifier } from '@jwt-token/auth';

import { formatTable, isMain, log, parseOptions, row } from './lib/common.mjs';
import { dpopClientKey } from './lib/dpop-proofs.mjs';
import { measure } from './lib/micro.mjs';

const URL_ = 'https://api.bench.test/articles';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln';

export async function run(options = parseOptions()) {
  const n = options.quick ? 4000 : 20000;
  const { jkt, publicKey, proofs: makeProofs } = dpopClientKey();
  const proofs = makeProofs(n, URL_, TOKEN);
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
