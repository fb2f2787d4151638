import { ConfigError } from '@jwt-token/service-kit';

import { readResourceApiConfig } from './resource-api.config';

describe(readResourceApiConfig.name, () => {
  it('falls back to the contract defaults', () => {
    expect(readResourceApiConfig({})).toEqual({
      port: 3001,
      host: '127.0.0.1',
      logLevel: 'info',
      logFormat: 'auto',
      metricsEnabled: false,
      trustProxy: false,
      auth: {
        issuer: 'http://localhost:3000',
        audience: 'resource-api',
        jwksUri: 'http://localhost:3000/.well-known/jwks.json',
        algorithm: 'ES256',
      },
      dpop: { redisUrl: undefined, publicUrl: undefined, required: false },
    });
  });

  it('reads the DPoP settings: REDIS_URL, PUBLIC_URL, DPOP_REQUIRED', () => {
    expect(
      readResourceApiConfig({
        REDIS_URL: 'redis://cache:6379',
        PUBLIC_URL: 'https://api.example',
        DPOP_REQUIRED: 'true',
      }).dpop,
    ).toEqual({ redisUrl: 'redis://cache:6379', publicUrl: 'https://api.example', required: true });
    expect(() => readResourceApiConfig({ REDIS_URL: 'http://cache' })).toThrow(ConfigError);
  });

  it('reads TRUST_PROXY, and refuses to trust every peer', () => {
    expect(readResourceApiConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy).toEqual(['10.0.0.0/8']);
    expect(() => readResourceApiConfig({ TRUST_PROXY: 'true' })).toThrow(ConfigError);
  });

  it('derives the JWKS URI from the issuer unless given, and drops trailing slashes as auth-api does', () => {
    expect(readResourceApiConfig({ AUTH_ISSUER: 'https://auth.example.com/' }).auth).toMatchObject({
      issuer: 'https://auth.example.com',
      jwksUri: 'https://auth.example.com/.well-known/jwks.json',
    });
    const config = readResourceApiConfig({
      AUTH_ISSUER: 'https://auth.example.com',
      AUTH_JWKS_URI: 'http://auth-api:3000/.well-known/jwks.json',
      AUTH_AUDIENCE: 'orders',
      JWT_ALG: 'RS256',
      PORT: '0',
      HOST: '0.0.0.0',
    });
    expect(config.auth).toEqual({
      issuer: 'https://auth.example.com',
      audience: 'orders',
      jwksUri: 'http://auth-api:3000/.well-known/jwks.json',
      algorithm: 'RS256',
    });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0' });
  });

  it.each([
    ['AUTH_ISSUER', 'not a url'],
    ['AUTH_ISSUER', 'ftp://auth.example.com'],
    ['AUTH_JWKS_URI', 'file:///etc/passwd'],
    ['JWT_ALG', 'HS256'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'xml'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    expect(() => readResourceApiConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readResourceApiConfig({ [name]: value })).toThrow(new RegExp(`^${name}`));
  });
});
