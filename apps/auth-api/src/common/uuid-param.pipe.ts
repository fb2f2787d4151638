import { ParseUUIDPipe } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

/** `:id` path parameters are UUIDs; anything else is a 400 naming the field. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ApiError(400, 'validation_failed', 'id must be a UUID', {
      fields: [{ field: 'id', problems: ['id must be a UUID'] }],
    }),
});
