import { type DynamicModule, Module } from '@nestjs/common';

import { AuthModule } from '../auth.module';
import type {
  AuthModuleExtras,
  AuthModuleOptions,
} from '../interfaces/auth-module-options.interface';
import { InMemoryKeyStore } from './in-memory-key-store';
import { TestTokenFactory } from './test-token.factory';

/** Options of {@link AuthTestingModule.forRoot}: the real module's options, minus the key source. */
export type AuthTestingOptions = Partial<
  Omit<AuthModuleOptions, 'jwksUri' | 'publicKeys' | 'keyStore'>
> &
  AuthModuleExtras;

/**
 * `AuthModule` wired to an in-memory key pair, plus a {@link TestTokenFactory} that signs with
 * it: test your own guarded controllers with real tokens and no auth server.
 *
 * @example
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [AuthTestingModule.forRoot({ roleHierarchy: { admin: ['editor'] } })],
 *   controllers: [ArticlesController],
 * }).compile();
 * const tokens = moduleRef.get(TestTokenFactory);
 * ```
 */
@Module({})
export class AuthTestingModule {
  static forRoot(options: AuthTestingOptions = {}): DynamicModule {
    const keys = new InMemoryKeyStore(options.algorithms?.[0] ?? 'ES256');
    const issuer = options.issuer ?? 'http://auth.test';
    const audience = options.audience ?? 'test-api';
    const firstAudience = Array.isArray(audience) ? audience[0] : audience;
    return {
      module: AuthTestingModule,
      global: true,
      imports: [AuthModule.forRoot({ ...options, issuer, audience, keyStore: keys })],
      providers: [
        { provide: InMemoryKeyStore, useValue: keys },
        { provide: TestTokenFactory, useValue: new TestTokenFactory(keys, issuer, firstAudience) },
      ],
      exports: [InMemoryKeyStore, TestTokenFactory],
    };
  }
}
