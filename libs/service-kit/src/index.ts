export { ApiError, DEFAULT_ERROR_CODES, defaultErrorCode } from './api-error';
export type { ApiErrorBody } from './api-error';
export { ApiExceptionFilter } from './api-exception.filter';
export { OAuthError } from './oauth-error';
export { isDependencyUnavailable } from './unavailable';
export type { OAuthErrorCode } from './oauth-error';
export { createValidationPipe } from './validation.pipe';
export {
  ConfigError,
  EnvReader,
  LOG_FORMATS,
  LOG_LEVELS,
  readCommonConfig,
  readTrustProxy,
  type TrustProxy,
} from './env-reader';
export type { CommonServiceConfig, LogFormat, LogLevel } from './env-reader';
export { loadServiceConfig } from './service-config';
export type { Environment, LoadedServiceConfig, ServiceConfigOptions } from './service-config';
export {
  acceptRequestId,
  createPinoLogger,
  LoggingModule,
  PINO_LOGGER,
  REDACTED_PATHS,
} from './logging.module';
export { logRequests, requestLogLevel } from './logging/request-logging';
export { ServiceLogger } from './logging/service-logger';
export { BODY_LIMIT_BYTES, createServiceApp, listen, REQUEST_TIMEOUT_MS } from './service-app';
export { ClientErrorResponder, clientErrorAnswer } from './client-error.handler';
export type { ClientErrorAnswer } from './client-error.handler';
export { MetricsModule, observeHttpLatency, sharedCounter } from './metrics';
export { ApiErrorDto, createOpenApiDocument, OAuthErrorDto, setupOpenApi } from './openapi';
export type { OpenApiOptions } from './openapi';
export { RedisDpopReplayStore } from './redis-dpop-replay.store';
export type { RedisSetNx } from './redis-dpop-replay.store';
