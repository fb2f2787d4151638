import { SetMetadata } from '@nestjs/common';

import { ROLES_KEY } from './auth.constants';

/**
 * Requires any one of `roles`, expanded by the role hierarchy (with `{admin: ['editor']}`, an
 * admin passes `@Roles('editor')`). On a handler it replaces the controller's `@Roles`.
 *
 * @example
 * ```ts
 * @Roles('editor')
 * @Post('articles')
 * create(@Body() dto: CreateArticleDto) { … }
 * ```
 */
export const Roles = (...roles: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(ROLES_KEY, roles);
