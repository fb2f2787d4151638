export { ApiError, DEFAULT_ERROR_CODES, defaultErrorCode } from './api-error';
export type { ApiErrorBody } from './api-error';
export { ApiExceptionFilter } from './api-exception.filter';
export { createValidationPipe } from './validation.pipe';
export { ConfigError, EnvReader, LOG_LEVELS, readCommonConfig } from './env-reader';
export type { CommonServiceConfig, LogLevel } from './env-reader';
export { acceptRequestId, LoggingModule, REDACTED_PATHS, requestIdFor } from './logging.module';
export { BODY_LIMIT_BYTES, createServiceApp, listen } from './service-app';
