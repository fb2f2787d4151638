import { ParseUUIDPipe } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

/** Article ids are UUIDs; anything else is refused before it reaches the service. */
export const articleIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new ApiError(400, 'validation_failed', 'id must be a UUID'),
});
