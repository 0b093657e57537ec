/**
 * What a browser session may do in the admin surfaces, from the user's current effective roles:
 * an admin role (policy adminRoles) → full access; a configured read-only admin role → reads;
 * anyone else → nothing. Roles are read at every request, so losing the role ends access at once.
 */
export type WebAccess = 'admin' | 'read' | null;

export function webAccess(roles: readonly string[], adminRoles: readonly string[], readOnlyRoles: readonly string[]): WebAccess {
  if (roles.some((r) => adminRoles.includes(r))) return 'admin';
  if (roles.some((r) => readOnlyRoles.includes(r))) return 'read';
  return null;
}
