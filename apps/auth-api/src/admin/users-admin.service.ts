import { Inject, Injectable } from '@nestjs/common';

import { ApiError } from '@jwt-token/service-kit';

import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../sessions/sessions.service';
import { toUserView, type UserView } from '../users/user.view';
import { UsersService } from '../users/users.service';
import type { UpdateUserDto } from './dto/update-user.dto';

/** User administration. An admin cannot demote, disable or delete themself: someone must stay admin. */
@Injectable()
export class UsersAdminService {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  async list(offset: number, limit: number) {
    const [users, total] = await this.users.list(offset, limit);
    return { items: users.map(toUserView), total, offset, limit };
  }

  async get(id: string): Promise<UserView> {
    const user = await this.users.findById(id);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    return toUserView(user);
  }

  async update(actorId: string, id: string, dto: UpdateUserDto): Promise<UserView> {
    if (dto.roles === undefined && dto.disabled === undefined) {
      const problems = ['give roles and/or disabled'];
      throw new ApiError(
        400,
        'validation_failed',
        'nothing to change: give roles and/or disabled',
        {
          fields: [
            { field: 'roles', problems },
            { field: 'disabled', problems },
          ],
        },
      );
    }
    const user = await this.users.findById(id);
    if (!user) throw new ApiError(404, 'not_found', 'user not found');
    if (id === actorId && (dto.disabled === true || (dto.roles && !dto.roles.includes('admin')))) {
      throw new ApiError(
        409,
        'self_lockout',
        'an admin cannot remove their own admin role or disable themself',
      );
    }
    await this.users.update(id, {
      ...(dto.roles ? { roles: dto.roles } : {}),
      ...(dto.disabled === undefined ? {} : { disabled: dto.disabled }),
    });
    // A disabled user's sessions end now: auth-api refuses their tokens at once, refresh gives 401.
    if (dto.disabled === true) await this.sessions.revokeAllForUser(id, 'user_disabled');
    if (dto.roles && dto.roles.join() !== user.roles.join()) {
      await this.audit.record({
        type: 'user.roles_changed',
        subjectId: id,
        details: { from: user.roles, to: dto.roles },
      });
    }
    if (dto.disabled !== undefined && dto.disabled !== user.disabled) {
      await this.audit.record({
        type: dto.disabled ? 'user.disabled' : 'user.enabled',
        subjectId: id,
      });
    }
    return this.get(id);
  }

  async delete(actorId: string, id: string): Promise<void> {
    if (id === actorId) throw new ApiError(409, 'self_lockout', 'an admin cannot delete themself');
    await this.sessions.revokeAllForUser(id, 'user_deleted');
    if (!(await this.users.delete(id))) throw new ApiError(404, 'not_found', 'user not found');
    await this.audit.record({ type: 'user.deleted', subjectId: id });
  }
}
