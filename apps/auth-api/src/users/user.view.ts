import type { UserEntity } from '../database/entities';

/** A user as the API shows it: never the password hash or lockout counters. */
export interface UserView {
  id: string;
  email: string;
  roles: string[];
  disabled: boolean;
  createdAt: string;
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    roles: user.roles,
    disabled: user.disabled,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
