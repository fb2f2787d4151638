import { resolveAuthOptions } from './resolved-auth-options';
import { RoleHierarchy } from './role-hierarchy';
import { InMemoryKeyStore } from './testing';

function hierarchy(roleHierarchy: Record<string, string[]>): RoleHierarchy {
  const options = resolveAuthOptions({
    issuer: 'http://i',
    audience: 'a',
    keyStore: new InMemoryKeyStore(),
    roleHierarchy,
  });
  return new RoleHierarchy(options);
}

describe(RoleHierarchy.name, () => {
  const roles = hierarchy({ admin: ['editor'], editor: ['user'] });

  it('grants every role below a held role, transitively', () => {
    expect(roles.expand(['admin'])).toEqual(new Set(['admin', 'editor', 'user']));
    expect(roles.satisfiesAny(['admin'], ['user'])).toBe(true);
    expect(roles.satisfiesAny(['admin'], ['editor'])).toBe(true);
    expect(roles.satisfiesAny(['editor'], ['user'])).toBe(true);
  });

  it('never grants a role above a held one', () => {
    expect(roles.satisfiesAny(['user'], ['editor'])).toBe(false);
    expect(roles.satisfiesAny(['editor'], ['admin'])).toBe(false);
    expect(roles.expand(['user'])).toEqual(new Set(['user']));
  });

  it('passes when any one of the required roles is granted', () => {
    expect(roles.satisfiesAny(['user'], ['admin', 'user'])).toBe(true);
    expect(roles.satisfiesAny(['user', 'editor'], ['editor'])).toBe(true);
  });

  it('refuses no roles, and no required roles', () => {
    expect(roles.satisfiesAny([], ['user'])).toBe(false);
    expect(roles.satisfiesAny(['admin'], [])).toBe(false);
  });

  it('treats a role outside the hierarchy as granting only itself', () => {
    expect(roles.satisfiesAny(['auditor'], ['auditor'])).toBe(true);
    expect(roles.satisfiesAny(['auditor'], ['user'])).toBe(false);
    expect(roles.expand(['auditor', 'user'])).toEqual(new Set(['auditor', 'user']));
  });

  it('follows branches and shared descendants', () => {
    const diamond = hierarchy({
      owner: ['billing', 'support'],
      billing: ['viewer'],
      support: ['viewer'],
    });
    expect(diamond.expand(['owner'])).toEqual(new Set(['owner', 'billing', 'support', 'viewer']));
    expect(diamond.satisfiesAny(['billing'], ['support'])).toBe(false);
  });

  it('matches role names exactly', () => {
    expect(roles.satisfiesAny(['Admin'], ['admin'])).toBe(false);
    expect(roles.satisfiesAny(['admin '], ['user'])).toBe(false);
  });

  it('with no hierarchy, grants exactly the held roles', () => {
    const flat = hierarchy({});
    expect(flat.satisfiesAny(['admin'], ['user'])).toBe(false);
    expect(flat.satisfiesAny(['admin'], ['admin'])).toBe(true);
  });
});

describe('RoleHierarchy with role names that are also Object.prototype members', () => {
  it('treats them as plain roles', () => {
    const roles = hierarchy({ constructor: ['toString'], toString: ['user'] });
    expect(roles.satisfiesAny(['constructor'], ['user'])).toBe(true);
    expect(roles.satisfiesAny(['hasOwnProperty'], ['user'])).toBe(false);
  });
});
