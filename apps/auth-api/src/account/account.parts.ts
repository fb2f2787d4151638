import { AfterResponse } from '../mail/after-response';
import { MailController } from '../mail/mail.controller';
import { AccountAdminController } from './account-admin.controller';
import { AccountPagesController } from './account-pages.controller';
import { AccountTokensService } from './account-tokens.service';
import { AccountController } from './account.controller';
import { EmailVerificationService } from './email-verification.service';
import { PasswordResetService } from './password-reset.service';

/** Mail, email verification and password reset: controllers for AppModule. */
export const ACCOUNT_CONTROLLERS = [
  AccountController,
  AccountPagesController,
  AccountAdminController,
  MailController,
];

/** Their providers (MailService is in CoreModule, so that the CLI reads the outbox too). */
export const ACCOUNT_PROVIDERS = [
  AfterResponse,
  AccountTokensService,
  EmailVerificationService,
  PasswordResetService,
];
