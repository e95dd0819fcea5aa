// Account roles (issue 13): `user` signs in to apps; `developer` also owns apps and FDS buckets (its
// developer record); `admin` also manages every user, app and the audit log. Each role includes
// the ones before it.
export const ROLES = ['user', 'developer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** The stored role, read as `user` when it is not one of ROLES. */
export function roleOf(s: string): Role {
  return isRole(s) ? s : 'user';
}

/** Whether `role` includes the rights of `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
