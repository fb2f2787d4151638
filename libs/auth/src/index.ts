export { AuthModule } from './auth.module';
export { AUTH_ASYNC_OPTIONS_TYPE, AUTH_OPTIONS_TYPE } from './auth.module-definition';
export {
  ACCESS_TOKEN_TYPES,
  AUTH_CLOCK,
  AUTH_LEVEL_KEY,
  AUTH_MODULE_OPTIONS,
  AUTH_RESOLVED_OPTIONS,
  IS_PUBLIC_KEY,
  JWT_STRATEGY_NAME,
  ROLES_KEY,
  SCOPES_KEY,
} from './auth.constants';
export { AuthError } from './auth.errors';
export { AuthMetrics, VERIFICATIONS_METRIC } from './auth-metrics';
export type { VerificationOutcome } from './auth-metrics';
export type { AuthErrorCode, AuthLevelChallenge } from './auth.errors';
export {
  describeAuthError,
  describeAuthErrorForGraphql,
  describeAuthErrorForRpc,
  describeAuthErrorForSocket,
} from './auth-error.response';
export type {
  AuthErrorResponse,
  AuthGraphqlExtensions,
  AuthLevelDetails,
  AuthRpcError,
  AuthSocketError,
} from './auth-error.response';
export { bearerDispatchHook } from './bearer-dispatch.hook';
export type { DispatchedPacket } from './bearer-dispatch.hook';
export { AuthExceptionFilter } from './auth-exception.filter';
export { extractBearerToken } from './bearer-token.extractor';
export type { AuthRequest } from './auth-request';
export { mercuriusSubscriptionContext } from './mercurius-subscription.context';
export { CurrentUser } from './current-user.decorator';
export { Public } from './public.decorator';
export { Roles } from './roles.decorator';
export { Scopes } from './scopes.decorator';
export { RequireAuthLevel } from './auth-level.decorator';
export type { AuthLevel, AuthLevelRequirement, AuthLevelRule } from './auth-level-rule';
export { JwtAuthGuard } from './jwt-auth.guard';
export { RolesGuard } from './roles.guard';
export { ScopesGuard } from './scopes.guard';
export { AuthLevelGuard } from './auth-level.guard';
export { JwtStrategy } from './jwt.strategy';
export { RoleHierarchy } from './role-hierarchy';
export { TokenService } from './token.service';
export type { AccessTokenInput, IssuedAccessToken } from './token.service';
export { TokenVerifier } from './token-verifier';
export { DpopError } from './dpop/dpop-error';
export { DpopNonces } from './dpop/dpop-nonces';
export {
  accessTokenHash,
  DPOP_ALGORITHMS,
  DpopProofVerifier,
  normalizeHtu,
} from './dpop/dpop-proof.verifier';
export type {
  DpopRequest,
  DpopVerifierOptions,
  VerifiedDpopProof,
} from './dpop/dpop-proof.verifier';
export { DEFAULT_DPOP_REPLAY_CAPACITY, MemoryDpopReplayStore } from './dpop/dpop-replay-store';
export type { DpopReplayStore } from './dpop/dpop-replay-store';
export { VerifiedTokenCache } from './verified-token.cache';
export { JwksKeySource } from './jwks-key-source';
export { StaticKeySource } from './static-key-source';
export { DiscoveryKeySource } from './discovery-key-source';
export { X509KeySource } from './x509-key-source';
export { createKeySource } from './key-source.factory';
export { authApiIssuer } from './auth-api.issuer';
export type { AuthApiIssuerOptions } from './auth-api.issuer';
export { auth0Issuer } from './auth0.issuer';
export type { Auth0IssuerOptions } from './auth0.issuer';
export { cognitoIssuer } from './cognito.issuer';
export type { CognitoIssuerOptions } from './cognito.issuer';
export { entraIdIssuer } from './entra-id.issuer';
export type { EntraIdIssuerOptions } from './entra-id.issuer';
export { FIREBASE_X509_URL, firebaseIssuer } from './firebase.issuer';
export type { FirebaseIssuerOptions } from './firebase.issuer';
export { keycloakIssuer } from './keycloak.issuer';
export type { KeycloakIssuerOptions } from './keycloak.issuer';
export { oktaIssuer } from './okta.issuer';
export type { OktaIssuerOptions } from './okta.issuer';
export { supabaseIssuer } from './supabase.issuer';
export type { SupabaseIssuerOptions } from './supabase.issuer';
export { zitadelIssuer } from './zitadel.issuer';
export type { ZitadelIssuerOptions } from './zitadel.issuer';
export type { IssuerPresetOptions } from './issuer-preset';
export { createVerificationKey } from './verification-key.factory';
export { algorithmsForKey, publicJwkMembers } from './jws-algorithms';
export { resolveAuthOptions } from './resolved-auth-options';
export type { ResolvedAuthOptions } from './resolved-auth-options';
export type { ResolvedClaimSource, ResolvedIssuer } from './resolved-issuer';
export type { ResolvedKeySource } from './resolved-key-source';
export { KeySource } from './interfaces/key-source.interface';
export type {
  SigningKey,
  SigningKeyStore,
  VerificationKey,
} from './interfaces/key-source.interface';
export { RevocationChecker } from './interfaces/revocation-checker.interface';
export { systemClock } from './interfaces/auth-clock.interface';
export type { AuthClock } from './interfaces/auth-clock.interface';
export type { AccessTokenClaims, AuthPrincipal } from './interfaces/auth-principal.interface';
export type {
  AuthModuleExtras,
  AuthModuleOptions,
  JwksClientOptions,
  StaticPublicKey,
  VerifiedTokenCacheOptions,
} from './interfaces/auth-module-options.interface';
export type {
  AccessTokenMarker,
  ClaimFormat,
  ClaimMapping,
  ClaimPath,
  ClaimSource,
  IssuerConfig,
  PrincipalOverrides,
  TokenTypePolicy,
} from './interfaces/issuer-config.interface';
export { SUPPORTED_ALGORITHMS } from './interfaces/jwt-algorithm';
export type { JwtAlgorithm } from './interfaces/jwt-algorithm';
