import { SetMetadata } from '@nestjs/common';

import { IS_PUBLIC_KEY } from './auth.constants';

/**
 * Lets requests through without a token, on a handler or a whole controller.
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() { return { status: 'ok' }; }
 * ```
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC_KEY, true);
