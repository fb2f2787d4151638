import { Inject, Injectable } from '@nestjs/common';

import { AUTH_RESOLVED_OPTIONS } from './auth.constants';
import type { ResolvedAuthOptions } from './resolved-auth-options';

/**
 * Answers "does a holder of these roles have role X?" through the configured hierarchy.
 * The transitive closure of every role is computed once at start, so a check is a few set lookups.
 */
@Injectable()
export class RoleHierarchy {
  private readonly implied = new Map<string, ReadonlySet<string>>();

  constructor(@Inject(AUTH_RESOLVED_OPTIONS) options: ResolvedAuthOptions) {
    const hierarchy = options.roleHierarchy;
    const closure = (role: string): Set<string> => {
      const result = new Set([role]);
      for (const child of Object.hasOwn(hierarchy, role) ? hierarchy[role] : [])
        for (const r of closure(child)) result.add(r);
      return result;
    };
    for (const role of Object.keys(hierarchy)) this.implied.set(role, closure(role));
  }

  /** Every role the given roles grant, themselves included. */
  expand(roles: readonly string[]): Set<string> {
    const result = new Set<string>();
    for (const role of roles) for (const r of this.implied.get(role) ?? [role]) result.add(r);
    return result;
  }

  /** True when `held` grants at least one of `required`. */
  satisfiesAny(held: readonly string[], required: readonly string[]): boolean {
    for (const role of held) {
      const granted = this.implied.get(role);
      for (const wanted of required) {
        if (role === wanted || granted?.has(wanted)) return true;
      }
    }
    return false;
  }
}
