import type { UserEntity } from '../database/entities';

/** A user as the API shows it: never the password hash or lockout counters. */
export interface UserView {
  id: string;
  email: string;
  roles: string[];
  disabled: boolean;
  emailVerified: boolean;
  createdAt: string;
}

/** A user as they see themselves (`/auth/register`, `/auth/me`): all but `disabled`. */
export function toAccountView(user: UserEntity): Omit<UserView, 'disabled'> {
  return {
    id: user.id,
    email: user.email,
    roles: user.roles,
    emailVerified: user.emailVerified,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}

export function toUserView(user: UserEntity): UserView {
  return {
    id: user.id,
    email: user.email,
    roles: user.roles,
    disabled: user.disabled,
    emailVerified: user.emailVerified,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}
