/** Injection token of the options given to `AuthModule.forRoot` / `forRootAsync`. */
export const AUTH_MODULE_OPTIONS = Symbol('auth:module_options');
/** Injection token of the validated options with every default filled in. */
export const AUTH_RESOLVED_OPTIONS = Symbol('auth:resolved_options');
/** Injection token of the clock the library reads time from (see {@link AuthClock}). */
export const AUTH_CLOCK = Symbol('auth:clock');

/** Metadata key set by `@Public()`. */
export const IS_PUBLIC_KEY = 'auth:is_public';
/** Metadata key set by `@Roles()`. */
export const ROLES_KEY = 'auth:roles';
/** Metadata key set by `@Scopes()`. */
export const SCOPES_KEY = 'auth:scopes';
/** Metadata key set by `@RequireAuthLevel()`. */
export const AUTH_LEVEL_KEY = 'auth:auth_level';

/** Name under which the passport-jwt strategy is registered with passport. */
export const JWT_STRATEGY_NAME = 'jwt';

/** The only `typ` values an access token may carry (RFC 9068 §2.1, compared case-insensitively). */
export const ACCESS_TOKEN_TYPES: ReadonlySet<string> = new Set(['at+jwt', 'application/at+jwt']);

/** Header parameters that would let a token choose its own key; never followed, always rejected (RFC 8725 §3.10). */
export const KEY_CARRYING_HEADERS: readonly string[] = ['jku', 'x5u', 'jwk', 'x5c'];
