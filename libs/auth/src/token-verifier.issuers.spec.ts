import { createPublicKey } from 'node:crypto';

import { ProviderKey, times } from '../test/issuer-tokens';
import { createModuleVerifier, MapKeySource } from '../test/multi-issuer-harness';
import { codeOf } from '../test/verifier-harness';
import type { IssuerConfig } from './interfaces/issuer-config.interface';
import { createVerificationKey } from './verification-key.factory';
import { resolveAuthOptions, type ResolvedAuthOptions } from './resolved-auth-options';
import { TokenVerifier } from './token-verifier';
import { VerifiedTokenCache } from './verified-token.cache';

const A = 'https://a.idp.test';
const B = 'https://b.idp.test/realms/x';

function keyOf(provider: ProviderKey) {
  const publicKey = createPublicKey(provider.store.signingKey.privateKey);
  return createVerificationKey(provider.kid, publicKey, new Set([provider.alg]))!;
}

describe(`${TokenVerifier.name} with several issuers`, () => {
  const keyA = new ProviderKey('ES256', { typ: 'at+jwt' });
  const keyB = new ProviderKey('RS256', { typ: 'JWT' });
  let sourceA: MapKeySource;
  let sourceB: MapKeySource;

  const issuerA = (): IssuerConfig => ({ issuer: A, audience: 'api', keySource: sourceA });
  const issuerB = (over: Partial<IssuerConfig> = {}): IssuerConfig => ({
    issuer: B,
    audience: 'api',
    algorithms: ['RS256'],
    keySource: sourceB,
    tokenType: { headerTypes: ['JWT'], accessTokenClaims: [{ claim: 'typ', values: ['Bearer'] }] },
    ...over,
  });
  const verifierOf = (...issuers: IssuerConfig[]) => createModuleVerifier({ issuers }).verifier;
  const tokenA = (claims: Record<string, unknown> = {}, header = {}) =>
    keyA.sign({ iss: A, aud: 'api', sub: 'u1', ...times(), ...claims }, header);
  const tokenB = (claims: Record<string, unknown> = {}, header = {}) =>
    keyB.sign({ iss: B, aud: 'api', sub: 'u2', typ: 'Bearer', ...times(), ...claims }, header);

  beforeEach(() => {
    sourceA = new MapKeySource();
    sourceA.keys.set(keyA.kid, keyOf(keyA));
    sourceB = new MapKeySource();
    sourceB.keys.set(keyB.kid, keyOf(keyB));
  });

  it('verifies each issuer with its own keys and says which issuer a principal came from', async () => {
    const verifier = verifierOf(issuerA(), issuerB());
    const a = await verifier.verify(tokenA({ roles: ['x'] }));
    const b = await verifier.verify(tokenB({ roles: ['y'] }));
    expect([a.issuer, a.sub, a.roles]).toEqual([A, 'u1', ['x']]);
    expect([b.issuer, b.sub, b.roles]).toEqual([B, 'u2', ['y']]);
    expect(a.tenant).toBeUndefined();
  });

  it('refuses an unknown iss before any key is looked up, with the wrong-issuer code', async () => {
    const verifier = verifierOf(issuerA(), issuerB());
    for (const iss of ['https://evil.test', `${A}/`, A.toUpperCase(), 42, undefined]) {
      expect(await codeOf(verifier.verify(tokenA({ iss })))).toBe('ERR_ISSUER_INVALID');
    }
    expect(sourceA.lookups + sourceB.lookups).toBe(0);
  });

  it("looks a kid up only in its own issuer's keys", async () => {
    const verifier = verifierOf(issuerA(), issuerB({ algorithms: ['RS256', 'ES256'] }));
    // Signed by B's key, with B's kid, but claiming issuer A: A does not know that kid.
    const forged = keyB.sign({ iss: A, aud: 'api', sub: 'u1', ...times() }, { typ: 'at+jwt' });
    expect(await codeOf(verifier.verify(forged))).toBe('ERR_ALG_NOT_ALLOWED'); // A is ES256 only
    const forgedEs = keyA.sign(
      { iss: B, aud: 'api', sub: 'u1', typ: 'Bearer', ...times() },
      { typ: 'JWT' },
    );
    expect(await codeOf(verifier.verify(forgedEs))).toBe('ERR_KID_UNKNOWN');
    expect(sourceA.lookups).toBe(0);
  });

  it('refuses alg confusion: an algorithm another issuer allows is not allowed for this one', async () => {
    const verifier = verifierOf(issuerA(), issuerB());
    const rsForA = keyB.sign({ iss: A, aud: 'api', sub: 'u1', ...times() }, { typ: 'at+jwt' });
    expect(await codeOf(verifier.verify(rsForA))).toBe('ERR_ALG_NOT_ALLOWED');
    expect(sourceA.lookups).toBe(0);
  });

  describe('token-type policy', () => {
    it('keeps at+jwt the default: JWT, no typ or another typ is refused', async () => {
      const verifier = verifierOf(issuerA(), issuerB());
      for (const typ of ['JWT', null, 'id+jwt', 'application/jwt']) {
        expect(await codeOf(verifier.verify(tokenA({}, { typ })))).toBe('ERR_TYP_INVALID');
      }
    });

    it("accepts JWT only with the issuer's access-token marker", async () => {
      const verifier = verifierOf(issuerA(), issuerB());
      await expect(verifier.verify(tokenB())).resolves.toBeDefined();
      expect(await codeOf(verifier.verify(tokenB({ typ: 'ID' })))).toBe('ERR_TYP_INVALID');
      expect(await codeOf(verifier.verify(tokenB({ typ: undefined })))).toBe('ERR_TYP_INVALID');
      expect(await codeOf(verifier.verify(tokenB({}, { typ: null })))).toBe('ERR_TYP_INVALID');
    });

    it('refuses ID tokens (nonce, at_hash) unless the issuer says its bearers are ID tokens', async () => {
      const markerOnly = issuerB({
        tokenType: { headerTypes: ['JWT', 'none'], accessTokenClaims: [{ claim: 'sub' }] },
      });
      const verifier = verifierOf(issuerA(), markerOnly);
      expect(await codeOf(verifier.verify(tokenB({ nonce: 'n' })))).toBe('ERR_TYP_INVALID');
      expect(await codeOf(verifier.verify(tokenB({ at_hash: 'h' }, { typ: null })))).toBe(
        'ERR_TYP_INVALID',
      );
      const bearers = issuerB({ tokenType: { headerTypes: ['JWT'], idTokensAsBearers: true } });
      await expect(verifierOf(bearers).verify(tokenB({ nonce: 'n' }))).resolves.toBeDefined();
    });

    it('refuses to start when JWT or no typ is allowed without a way to tell access tokens', () => {
      expect(() => verifierOf(issuerB({ tokenType: { headerTypes: ['JWT'] } }))).toThrow(
        'accessTokenClaims',
      );
      expect(() => verifierOf(issuerB({ tokenType: { headerTypes: ['none'] } }))).toThrow(
        'accessTokenClaims',
      );
    });

    it('requires auth_time in the past when asked to', async () => {
      const verifier = verifierOf(
        issuerB({
          tokenType: { headerTypes: ['JWT'], idTokensAsBearers: true, requireAuthTime: true },
        }),
      );
      const { iat } = times();
      await expect(verifier.verify(tokenB({ auth_time: iat - 60 }))).resolves.toBeDefined();
      expect(await codeOf(verifier.verify(tokenB()))).toBe('ERR_CLAIM_INVALID');
      expect(await codeOf(verifier.verify(tokenB({ auth_time: iat + 600 })))).toBe(
        'ERR_TOKEN_NOT_YET_VALID',
      );
    });
  });

  describe('claim mapping', () => {
    const mapped = (claims: IssuerConfig['claims']) => verifierOf(issuerB({ claims }));

    it('reads claim names literally: dots, colons and URLs are not paths', async () => {
      const verifier = mapped({ roles: ['cognito:groups', 'https://app.test/roles'] });
      const principal = await verifier.verify(
        tokenB({
          'cognito:groups': ['admins'],
          'https://app.test/roles': ['editor', 'admins'],
          https: { '//app': ['not-this'] },
        }),
      );
      expect(principal.roles).toEqual(['admins', 'editor']);
    });

    it('walks array paths, and reads arrays, space-delimited strings and object keys', async () => {
      const verifier = mapped({
        roles: [
          ['realm_access', 'roles'],
          { path: ['urn:zitadel:iam:org:project:roles'], format: 'object-keys' },
          { path: 'groups', format: 'space-delimited' },
        ],
        scope: [{ path: 'scp', format: 'array-or-space-delimited' }],
        clientId: ['cid', 'azp'],
      });
      const principal = await verifier.verify(
        tokenB({
          realm_access: { roles: ['a'] },
          'urn:zitadel:iam:org:project:roles': { b: { org: 'x' }, c: {} },
          groups: 'd  e',
          scp: ['s1', 's2'],
          azp: 'client-1',
        }),
      );
      expect(principal.roles).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(principal.scopes).toEqual(['s1', 's2']);
      expect(principal.clientId).toBe('client-1');
      expect((await verifier.verify(tokenB({ scp: 'x y' }))).scopes).toEqual(['x', 'y']);
    });

    it.each<[string, Record<string, unknown>]>([
      ['an array holding a non-string', { realm_access: { roles: ['a', 1] } }],
      ['a string where an array is expected', { realm_access: { roles: 'a' } }],
      ['an array where object keys are expected', { zroles: ['a'] }],
      ['null roles', { realm_access: { roles: null } }],
      ['a number as scope', { scp: 7 }],
      ['a client id that is not a string', { cid: ['x'] }],
    ])('refuses %s', async (_, claims) => {
      const verifier = mapped({
        roles: [['realm_access', 'roles'], { path: 'zroles', format: 'object-keys' }],
        scope: [{ path: 'scp', format: 'array-or-space-delimited' }],
        clientId: ['cid'],
      });
      expect(await codeOf(verifier.verify(tokenB(claims)))).toBe('ERR_CLAIM_INVALID');
    });

    it('never reads through a prototype', async () => {
      const verifier = mapped({
        roles: [
          ['constructor', 'name'],
          ['__proto__', 'roles'],
        ],
      });
      const principal = await verifier.verify(tokenB());
      expect(principal.roles).toEqual([]);
    });

    it('refuses a groups overage (distributed claims) when groups grant roles', async () => {
      const overage = { _claim_names: { groups: 'src1' }, _claim_sources: { src1: {} } };
      const withGroups = mapped({ roles: ['roles', 'groups'] });
      expect(await codeOf(withGroups.verify(tokenB(overage)))).toBe('ERR_CLAIM_INVALID');
      const withoutGroups = mapped({ roles: ['roles'] });
      await expect(withoutGroups.verify(tokenB(overage))).resolves.toBeDefined();
      expect(await codeOf(withGroups.verify(tokenB({ _claim_names: 'x' })))).toBe(
        'ERR_CLAIM_INVALID',
      );
    });
  });

  describe('audience, authorized party and required claims', () => {
    it('reads the audience from client_id when told to (no aud)', async () => {
      const verifier = verifierOf(issuerB({ audience: ['c1', 'c2'], audienceClaim: 'client_id' }));
      await expect(verifier.verify(tokenB({ aud: undefined, client_id: 'c2' }))).resolves.toEqual(
        expect.objectContaining({ clientId: 'c2' }),
      );
      for (const claims of [{ client_id: 'c3' }, { aud: 'c1' }, { client_id: ['c1'] }]) {
        expect(await codeOf(verifier.verify(tokenB({ aud: undefined, ...claims })))).toBe(
          'ERR_AUDIENCE_INVALID',
        );
      }
    });

    it('checks the azp allowlist', async () => {
      const verifier = verifierOf(issuerB({ authorizedParties: ['web'] }));
      await expect(verifier.verify(tokenB({ azp: 'web' }))).resolves.toBeDefined();
      for (const azp of ['other', undefined, ['web']]) {
        expect(await codeOf(verifier.verify(tokenB({ azp })))).toBe('ERR_AUDIENCE_INVALID');
      }
    });

    it('checks required claims and values', async () => {
      const verifier = verifierOf(
        issuerB({ requiredClaims: { role: 'authenticated', org: true, lvl: [1, 2] } }),
      );
      await expect(
        verifier.verify(tokenB({ role: 'authenticated', org: 'o', lvl: 2 })),
      ).resolves.toBeDefined();
      for (const claims of [
        { role: 'anon', org: 'o', lvl: 1 },
        { role: 'authenticated', lvl: 1 },
        { role: 'authenticated', org: 'o', lvl: '1' },
      ]) {
        expect(await codeOf(verifier.verify(tokenB(claims)))).toBe('ERR_CLAIM_INVALID');
      }
    });
  });

  describe('mapPrincipal', () => {
    it('may rename and narrow, but not change the issuer, and its result is checked', async () => {
      const verifier = verifierOf(
        issuerB({
          mapPrincipal: (p) =>
            ({
              roles: p.roles.map((r) => r.toLowerCase()),
              issuer: 'https://evil.test',
            }) as never,
        }),
      );
      const principal = await verifier.verify(tokenB({ roles: ['ADMIN'] }));
      expect(principal.roles).toEqual(['admin']);
      expect(principal.issuer).toBe(B);
      expect(Object.isFrozen(principal) && Object.isFrozen(principal.roles)).toBe(true);
      const broken = verifierOf(issuerB({ mapPrincipal: () => ({ roles: 'admin' as never }) }));
      expect(await codeOf(broken.verify(tokenB()))).toBe('ERR_CLAIM_INVALID');
    });
  });

  describe('tenants', () => {
    const template = 'https://login.test/{tenantid}/v2.0';
    const tenantVerifier = () =>
      verifierOf(issuerA(), issuerB({ issuer: template, tenants: ['t1', 't2'] }));

    it("accepts an allowed tenant's exact issuer with a matching tid, and names the tenant", async () => {
      const principal = await tenantVerifier().verify(
        tokenB({ iss: 'https://login.test/t2/v2.0', tid: 't2' }),
      );
      expect([principal.issuer, principal.tenant]).toEqual(['https://login.test/t2/v2.0', 't2']);
    });

    it.each([
      ['a tenant outside the allowlist', 'https://login.test/t3/v2.0', 't3'],
      ['a tid that is not the issuer tenant', 'https://login.test/t1/v2.0', 't2'],
      ['no tid', 'https://login.test/t1/v2.0', undefined],
      ['the template itself', template, 't1'],
      ['a common endpoint issuer', 'https://login.test/common/v2.0', 't1'],
    ])('refuses %s', async (_, iss, tid) => {
      expect(await codeOf(tenantVerifier().verify(tokenB({ iss, tid })))).toBe(
        'ERR_ISSUER_INVALID',
      );
    });

    it('refuses configurations that could match more than the allowlist', () => {
      expect(() => verifierOf(issuerB({ issuer: template }))).toThrow('needs tenants');
      expect(() => verifierOf(issuerB({ issuer: template, tenants: ['t1/../x'] }))).toThrow(
        'not a tenant id',
      );
      expect(() => verifierOf(issuerB({ tenants: ['t1'] }))).toThrow('{tenantid}');
      expect(() => verifierOf(issuerB(), issuerB({ issuer: [B, 'https://c.test'] }))).toThrow(
        'configured twice',
      );
    });
  });

  describe('verified-token cache', () => {
    it("ties an entry to its issuer's key source: the key leaving that set drops the entry", async () => {
      const shared = 'shared-kid';
      sourceA.keys.set(shared, { ...keyOf(keyB), kid: shared });
      sourceB.keys.set(shared, { ...keyOf(keyB), kid: shared });
      const { verifier, cache } = createModuleVerifier({
        issuers: [issuerA(), issuerB()],
      });
      const token = tokenB({}, { kid: shared });
      await verifier.verify(token);
      expect(cache.size).toBe(1);
      sourceB.keys.delete(shared); // still in A's keys under the same kid: irrelevant
      expect(await codeOf(verifier.verify(token))).toBe('ERR_KID_UNKNOWN');
    });
  });

  it('verifies synchronously when the chosen issuer has the key loaded', () => {
    const verifier = verifierOf(issuerA(), issuerB());
    expect(verifier.verifySync(tokenB())?.issuer).toBe(B);
    expect(() => verifier.verifySync(tokenA({ iss: 'https://evil.test' }))).toThrow(
      expect.objectContaining({ code: 'ERR_ISSUER_INVALID' }),
    );
  });

  it('applies a per-issuer clock tolerance', async () => {
    const verifier = verifierOf(issuerA(), issuerB({ clockToleranceSeconds: 0 }));
    const { iat } = times();
    expect(await codeOf(verifier.verify(tokenB({ exp: iat - 2 })))).toBe('ERR_TOKEN_EXPIRED');
    await expect(verifier.verify(tokenA({ exp: iat - 2 }))).resolves.toBeDefined();
  });

  it('gives the principal its issuer as an own field, and no tenant for a single-tenant issuer', async () => {
    const verifier = verifierOf(issuerA());
    const principal = await verifier.verify(tokenA({ scope: 'a b', client_id: 'web' }));
    expect(principal.issuer).toBe(A);
    expect(JSON.parse(JSON.stringify(principal))).toMatchObject({ issuer: A });
    expect(Object.keys(principal)).not.toContain('tenant');
    expect(principal.scopes).toEqual(['a', 'b']);
  });

  it('treats hand-built options without issuers (older code) as their one top-level issuer', async () => {
    const { issuers: _ignored, ...legacy } = resolveAuthOptions({
      issuer: A,
      audience: 'api',
      publicKeys: [{ kid: keyA.kid, key: createPublicKey(keyA.store.signingKey.privateKey) }],
    });
    const verifier = new TokenVerifier(
      legacy as ResolvedAuthOptions,
      sourceA,
      new VerifiedTokenCache(0, sourceA, legacy.clock),
    );
    expect((await verifier.verify(tokenA())).issuer).toBe(A);
    expect(await codeOf(verifier.verify(tokenA({ iss: B })))).toBe('ERR_ISSUER_INVALID');
    expect(await codeOf(verifier.verify(tokenA({}, { typ: 'JWT' })))).toBe('ERR_TYP_INVALID');
  });
});
