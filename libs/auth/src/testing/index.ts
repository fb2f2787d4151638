export { AuthTestingModule } from './auth-testing.module';
export type { AuthTestingOptions } from './auth-testing.module';
export { InMemoryKeyStore } from './in-memory-key-store';
export { TestTokenFactory } from './test-token.factory';
export type { TestTokenOptions } from './test-token.factory';
export { TestDpopKey } from './test-dpop-key';
export type { TestDpopProofOptions } from './test-dpop-key';
