// The peer everyone starts from: the NestJS documentation's JWT recipe
// (https://docs.nestjs.com/recipes/passport, "Implementing Passport JWT" and "Enable authentication
// globally", plus the RolesGuard of https://docs.nestjs.com/security/authorization):
// Express adapter, @nestjs/passport + passport-jwt, the public key given as a PEM string through
// `secretOrKey`, a global JwtAuthGuard with @Public(), a global RolesGuard with @Roles(), GET /me.
//
// Plain JavaScript with the decorators applied by hand (no TypeScript build): the code below is
// the recipe's code one to one. Only deviation: `algorithms`, `issuer` and `audience` are given to
// passport-jwt so that it checks what our guard checks (the recipe leaves them out; they cost
// nothing measurable, the PEM string is what costs).
//
//   PORT=… BENCH_PUBLIC_KEY_PEM='-----BEGIN PUBLIC KEY-----…' BENCH_ISSUER=… node bench/peers/nest-docs-recipe/main.mjs
import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  SetMetadata,
  Delete,
  Param,
} from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

const publicKeyPem = process.env.BENCH_PUBLIC_KEY_PEM;
if (!publicKeyPem) {
  process.stderr.write('nest-docs-recipe: BENCH_PUBLIC_KEY_PEM is required\n');
  process.exit(1);
}

/** `@decorator` on a method, applied by hand. */
function decorateMethod(target, name, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  Reflect.decorate(decorators, target.prototype, name, descriptor);
}

// --- public.decorator.ts / roles.decorator.ts -------------------------------------------------
const IS_PUBLIC_KEY = 'isPublic';
const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
const ROLES_KEY = 'roles';
const Roles = (...roles) => SetMetadata(ROLES_KEY, roles);

// --- jwt.strategy.ts --------------------------------------------------------------------------
class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      secretOrKey: publicKeyPem,
      algorithms: ['ES256'],
      issuer: process.env.BENCH_ISSUER,
      audience: process.env.BENCH_AUDIENCE ?? 'resource-api',
    });
  }

  async validate(payload) {
    return { userId: payload.sub, roles: payload.roles ?? [], scope: payload.scope ?? '' };
  }
}
Injectable()(JwtStrategy);

// --- jwt-auth.guard.ts (global, honours @Public()) ---------------------------------------------
class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(reflector) {
    super();
    this.reflector = reflector;
  }

  canActivate(context) {
    const isPublic = this.reflector.getAllAndOverride(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }
}
Injectable()(JwtAuthGuard);
Inject(Reflector)(JwtAuthGuard, undefined, 0);

// --- roles.guard.ts -----------------------------------------------------------------------------
class RolesGuard {
  constructor(reflector) {
    this.reflector = reflector;
  }

  canActivate(context) {
    const requiredRoles = this.reflector.getAllAndOverride(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requiredRoles) return true;
    const { user } = context.switchToHttp().getRequest();
    return requiredRoles.some((role) => user.roles?.includes(role));
  }
}
Injectable()(RolesGuard);
Inject(Reflector)(RolesGuard, undefined, 0);

// --- app.controller.ts ------------------------------------------------------------------------
class AppController {
  health() {
    return { status: 'ok' };
  }

  me(request) {
    return { sub: request.user.userId, roles: request.user.roles, scope: request.user.scope };
  }

  remove(id) {
    return { deleted: id };
  }
}
decorateMethod(AppController, 'health', Public(), Get('health'));
decorateMethod(AppController, 'me', Get('me'));
Req()(AppController.prototype, 'me', 0);
decorateMethod(AppController, 'remove', Roles('admin'), Delete('articles/:id'));
Param('id')(AppController.prototype, 'remove', 0);
Controller()(AppController);

// --- app.module.ts ------------------------------------------------------------------------------
class AppModule {}
Module({
  imports: [PassportModule],
  controllers: [AppController],
  providers: [
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})(AppModule);

// --- main.ts --------------------------------------------------------------------------------------
const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3002), process.env.HOST ?? '127.0.0.1');
