import { AuthorizationCodeGrant } from './authorization-code.grant';
import { AuthorizationCodes } from './authorization-codes.service';
import { AuthorizeFlow } from './authorize-flow';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeHandler } from './authorize.handler';
import { BrowserSessions } from './browser-session';
import { ConsentsController } from './consents.controller';
import { ConsentsService } from './consents.service';
import { IdTokenKeys } from './id-token-keys';
import { IdTokens } from './id-tokens';
import { LogoutController } from './logout.controller';
import { ParController } from './par.controller';
import { PushedRequests } from './pushed-requests.service';
import { UserInfoController } from './userinfo.controller';

/** The OpenID Provider's controllers, for AppModule. */
export const OIDC_CONTROLLERS = [
  AuthorizeController,
  UserInfoController,
  LogoutController,
  ConsentsController,
  ParController,
];

/** The OpenID Provider's providers, for AppModule. */
export const OIDC_PROVIDERS = [
  AuthorizationCodes,
  AuthorizationCodeGrant,
  AuthorizeFlow,
  AuthorizeHandler,
  BrowserSessions,
  ConsentsService,
  IdTokenKeys,
  IdTokens,
  PushedRequests,
];
