// Type-checked (never run) in the fresh app against the packaged .d.ts files, once as `check.ts`
// with the Nest CLI's default resolution (node10, which ignores `exports`) and once as `check.mts`
// with `nodenext` (which follows `exports`). The @ts-expect-error lines prove the types are real,
// not `any` from an unresolved module.
import { Controller, Get, Module } from '@nestjs/common';
import {
  AuthError,
  type AuthErrorCode,
  AuthModule,
  type AuthModuleOptions,
  type AuthPrincipal,
  CurrentUser,
  describeAuthError,
  Public,
  Roles,
  Scopes,
  type SigningKeyStore,
  TokenService,
} from '@jwt-token/auth';
import { AuthTestingModule, InMemoryKeyStore, TestTokenFactory } from '@jwt-token/auth/testing';

@Controller('orders')
export class OrdersController {
  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Get()
  list(@CurrentUser() user: AuthPrincipal): readonly string[] {
    return user.roles;
  }

  @Roles('editor')
  @Scopes('orders:write')
  @Get('edit')
  edit(@CurrentUser('sub') sub: string): string {
    return sub;
  }
}

const resourceServer: AuthModuleOptions = {
  issuer: 'https://auth.example.com',
  audience: 'orders-api',
  jwksUri: 'https://auth.example.com/.well-known/jwks.json',
  roleHierarchy: { admin: ['editor'] },
};

// @ts-expect-error: a misspelled option is a type error
export const misspelled: AuthModuleOptions = { issuer: 'x', audience: 'y', jwksUrl: 'https://x' };

const keyStore: SigningKeyStore = new InMemoryKeyStore('ES256');

@Module({
  imports: [
    AuthModule.forRoot(resourceServer),
    AuthModule.forRoot({
      issuer: 'https://auth.example.com',
      audience: 'orders-api',
      keyStore,
      globalGuards: false,
    }),
  ],
  controllers: [OrdersController],
})
export class AppModule {}

export async function issue(tokens: TokenService): Promise<number> {
  const { expiresIn } = await tokens.sign({ sub: 'u1', clientId: 'web', roles: ['editor'] });
  return expiresIn;
}

export function describe(error: unknown): number | undefined {
  if (!(error instanceof AuthError)) return undefined;
  const code: AuthErrorCode = error.code;
  // @ts-expect-error: not an AuthErrorCode
  const wrong: AuthErrorCode = 'ERR_NOT_A_CODE';
  void wrong;
  return code === 'ERR_TOKEN_EXPIRED' ? 401 : describeAuthError(error, 'orders-api').status;
}

export const testingModule = AuthTestingModule.forRoot({ audience: 'orders-api' });
export const token: string = new TestTokenFactory(
  new InMemoryKeyStore(),
  'http://auth.test',
  'orders-api',
).sign({
  roles: ['admin'],
});
