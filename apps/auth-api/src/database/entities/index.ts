import { ServerSecretEntity } from './server-secret.entity';
import { SessionEntity } from './session.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { UserEntity } from './user.entity';

export { ServerSecretEntity, SessionEntity, SigningKeyEntity, UserEntity };

export const ENTITIES = [UserEntity, SessionEntity, SigningKeyEntity, ServerSecretEntity];
