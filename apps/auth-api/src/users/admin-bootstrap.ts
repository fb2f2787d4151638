import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AUTH_API_CONFIG, type AuthApiConfig } from '../config/auth-api.config';
import { UsersService } from './users.service';

/** Creates the ADMIN_EMAIL admin at start when no user has that email. There is no default admin. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    @Inject(AUTH_API_CONFIG) private readonly config: AuthApiConfig,
    @Inject(UsersService) private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config;
    if (!adminEmail || !adminPassword) return;
    if (await this.users.findByEmail(adminEmail)) return;
    try {
      const admin = await this.users.create(adminEmail, adminPassword, ['admin'], true);
      this.logger.log(`created admin ${admin.email}`);
    } catch (error) {
      // Another instance created it a moment ago.
      if (!(error instanceof ApiError && error.code === 'email_taken')) throw error;
    }
  }
}
