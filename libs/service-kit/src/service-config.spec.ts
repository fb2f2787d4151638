import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, type Environment, EnvReader } from './index';
import { loadServiceConfig } from './service-config';

interface DemoConfig {
  port: number;
  greeting: string;
}

const readDemoConfig = (environment: Environment): DemoConfig => {
  const env = new EnvReader(environment);
  return {
    port: env.integer('DEMO_PORT', 3000, { min: 0, max: 65535 }),
    greeting: env.string('DEMO_GREETING', 'hello'),
  };
};

/** Replaces the real environment for one test: these variables set, those given `undefined` absent. */
function useEnv(variables: Environment): void {
  const env = { ...process.env, ...variables };
  for (const [name, value] of Object.entries(variables)) if (value === undefined) delete env[name];
  jest.replaceProperty(process, 'env', env);
}

describe(loadServiceConfig.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-config-'));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  const envFile = (text: string): string => {
    const path = join(dir, 'demo.env');
    writeFileSync(path, text);
    return path;
  };

  it('serves the validated, typed configuration through ConfigService, and nothing raw', async () => {
    useEnv({ ENV_FILE: envFile('DEMO_PORT=4000\n'), DEMO_GREETING: 'bonjour' });
    const { configModule, config } = await loadServiceConfig({ key: 'demo', read: readDemoConfig });
    expect(config).toEqual({ port: 4000, greeting: 'bonjour' });

    @Module({ imports: [configModule] })
    class DemoModule {}
    const moduleRef = await Test.createTestingModule({ imports: [DemoModule] }).compile();
    const configService = moduleRef.get<ConfigService<{ demo: DemoConfig }, true>>(ConfigService);
    expect(configService.get('demo', { infer: true })).toBe(config);
    expect(configService.get('demo.port', { infer: true })).toBe(4000);
    // Only the validated object: not the variables, neither the file's nor the environment's.
    const untyped = moduleRef.get(ConfigService);
    expect(untyped.get('DEMO_GREETING')).toBeUndefined();
    expect(untyped.get('DEMO_PORT')).toBeUndefined();
    expect(process.env.DEMO_PORT).toBeUndefined();
    expect(process.env.demo).toBeUndefined();
    await moduleRef.close();
  });

  it('reads the env file, the real environment winning for a variable set in both', async () => {
    useEnv({
      ENV_FILE: envFile('DEMO_PORT=4000\nDEMO_GREETING="from the file"\n'),
      DEMO_PORT: '5000',
      DEMO_GREETING: undefined,
    });
    const { config } = await loadServiceConfig({ key: 'demo', read: readDemoConfig });
    expect(config).toEqual({ port: 5000, greeting: 'from the file' });
  });

  it('takes values literally: no ${VAR} expansion', async () => {
    useEnv({ ENV_FILE: envFile('DEMO_GREETING=pa$$word${HOME}\n'), DEMO_GREETING: undefined });
    const { config } = await loadServiceConfig({ key: 'demo', read: readDemoConfig });
    expect(config.greeting).toBe('pa$$word${HOME}');
  });

  it('rejects a bad value from the env file with the schema error naming the variable', async () => {
    useEnv({ ENV_FILE: envFile('DEMO_PORT=abc\n'), DEMO_PORT: undefined });
    const loading = loadServiceConfig({ key: 'demo', read: readDemoConfig });
    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(
      'DEMO_PORT="abc" is invalid: expected an integer from 0 to 65535',
    );
  });

  it('refuses an ENV_FILE it cannot read, and reads none from /dev/null', async () => {
    useEnv({ ENV_FILE: join(dir, 'missing.env'), DEMO_PORT: undefined });
    await expect(loadServiceConfig({ key: 'demo', read: readDemoConfig })).rejects.toThrow(
      new ConfigError(
        `ENV_FILE=${JSON.stringify(join(dir, 'missing.env'))} is invalid: expected a readable file`,
      ),
    );
    process.env.ENV_FILE = dir;
    await expect(loadServiceConfig({ key: 'demo', read: readDemoConfig })).rejects.toThrow(
      /^ENV_FILE=.* is invalid/,
    );
    process.env.ENV_FILE = '/dev/null';
    await expect(loadServiceConfig({ key: 'demo', read: readDemoConfig })).resolves.toMatchObject({
      config: { port: 3000 },
    });
  });

  it('serves a given configuration as it is, reading neither the env file nor the environment', async () => {
    useEnv({ ENV_FILE: join(dir, 'missing.env'), DEMO_PORT: 'abc' });
    const given = { port: 1, greeting: 'given' };
    const read = jest.fn(readDemoConfig);
    const { configModule, config } = await loadServiceConfig({ key: 'demo', read, config: given });
    expect(config).toBe(given);
    expect(read).not.toHaveBeenCalled();
    const moduleRef = await Test.createTestingModule({ imports: [configModule] }).compile();
    expect(moduleRef.get(ConfigService).get('demo')).toBe(given);
    await moduleRef.close();
  });
});
