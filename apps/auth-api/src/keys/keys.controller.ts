import { Controller, Get, Header, Inject, Post } from '@nestjs/common';

import { Public, Roles } from '@jwt-token/auth';

import { AuditService } from '../audit/audit.service';
import { IdTokenKeys } from '../oidc/id-token-keys';
import { DbSigningKeyStore } from './signing-key.store';
import { compareSigningKeyViews, toSigningKeyView } from './signing-key.view';

@Controller()
export class KeysController {
  constructor(
    @Inject(DbSigningKeyStore) private readonly keys: DbSigningKeyStore,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(IdTokenKeys) private readonly idTokenKeys: IdTokenKeys,
  ) {}

  /** Public keys of every key whose tokens may still be valid. Short max-age: rotations show fast. */
  @Public()
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  @Header('Content-Type', 'application/jwk-set+json')
  async jwks() {
    return {
      keys: [...(await this.keys.publishedKeys()), ...(await this.idTokenKeys.publishedKeys())],
    };
  }

  /** The keys still published (next, active, retired): public facts only, never key material. */
  @Roles('admin')
  @Get('keys')
  async list() {
    return (await this.keys.listKeys()).map(toSigningKeyView).sort(compareSigningKeyViews);
  }

  @Roles('admin')
  @Post('keys/rotate')
  async rotate() {
    const kid = await this.keys.rotate();
    await this.audit.record({ type: 'key.rotated', subjectId: kid });
    return { kid };
  }
}
