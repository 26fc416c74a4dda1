/** Who sees what: the server enforces it; the panel only avoids showing what would be refused. */
export interface HasRoles {
  roles: string[];
}

const any = (u: HasRoles, ...roles: string[]) => u.roles.some((r) => r === 'admin' || roles.includes(r));

export const seesCalls = (u: HasRoles) => any(u, 'agent', 'supervisor');
export const seesInbox = (u: HasRoles) => any(u, 'handler', 'supervisor');
export const seesWallboard = (u: HasRoles) => any(u, 'supervisor');
/** The reports: the centre's for supervisors, a department's own for its handlers. */
export const seesReports = (u: HasRoles) => any(u, 'handler', 'supervisor');
/** Supervisors and admins look across departments; a handler only at their own. */
export const seesAllDepartments = (u: HasRoles) => any(u, 'supervisor');
export const takesCalls = (u: HasRoles) => any(u, 'agent');
export const worksCases = (u: HasRoles) => any(u, 'handler');
