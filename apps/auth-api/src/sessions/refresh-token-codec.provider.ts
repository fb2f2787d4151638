import type { Provider } from '@nestjs/common';

import { RefreshTokenCodec } from '../crypto/refresh-token.codec';
import { ServerSecrets } from '../crypto/server-secrets';

export const REFRESH_TOKEN_CODEC = Symbol('auth-api:refresh_token_codec');

/** The codec with the instance-shared HMAC secret, created in the database on first start. */
export const refreshTokenCodecProvider: Provider = {
  provide: REFRESH_TOKEN_CODEC,
  inject: [ServerSecrets],
  useFactory: async (secrets: ServerSecrets) =>
    new RefreshTokenCodec(await secrets.getOrCreate('refresh_token_hmac')),
};
