import { type AppError, errors } from '../errors.js';

/**
 * Who may do what. Every use case calls `authorize` before anything else, and resolves objects
 * through `assertInScope` so that a customer-scoped admin gets "not found" for another customer's
 * objects, never a hint that they exist.
 */
export const ADMIN_ROLES = ['administrator', 'user_admin', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface Actor {
  kind: 'admin' | 'token' | 'system';
  adminId: number | null;
  role: AdminRole;
  /** null: sees every customer. */
  customerId: number | null;
  /** For the audit log: who this is, in words. */
  label: string;
  tokenId?: number;
}

/** Roster acting by itself (a job, a sweep), named for the audit log; sees every customer unless scoped. */
export function systemActor(
  label: string,
  scope: { role?: AdminRole; customerId?: number | null } = {},
): Actor {
  return {
    kind: 'system',
    adminId: null,
    role: scope.role ?? 'administrator',
    customerId: scope.customerId ?? null,
    label,
  };
}

export const SYSTEM_ACTOR: Actor = systemActor('system');
/** Who the audit log names for what an import's background jobs do. */
export const IMPORT_WORKER: Actor = systemActor('import worker');

export const PERMISSIONS = [
  'directory.read', // customers, sites, contacts, users, roles, groups, attributes
  'settings.read',
  'users.manage', // users and contacts
  'imports.read',
  'imports.run',
  'customers.manage', // update a customer, manage its sites
  'customers.create', // create or delete customers
  'config.manage', // roles, groups, attribute definitions, settings
  'admins.manage', // admins and API tokens
  'audit.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<AdminRole, readonly Permission[]> = {
  viewer: ['directory.read', 'settings.read', 'imports.read'],
  user_admin: ['directory.read', 'settings.read', 'imports.read', 'users.manage', 'imports.run'],
  administrator: [
    'directory.read',
    'settings.read',
    'imports.read',
    'users.manage',
    'imports.run',
    'customers.manage',
    'customers.create',
    'config.manage',
    'admins.manage',
    'audit.read',
  ],
};

/** Permissions that reach beyond one customer: a scoped admin never has them. */
const GLOBAL_ONLY: ReadonlySet<Permission> = new Set(['customers.create', 'config.manage']);

export function can(actor: Actor, permission: Permission): boolean {
  if (actor.customerId !== null && GLOBAL_ONLY.has(permission)) return false;
  return GRANTS[actor.role].includes(permission);
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw errors.forbidden(permission);
}

/** Throws the entity's not-found error when the object belongs to a customer outside the scope. */
export function assertInScope(actor: Actor, customerId: number | null, notFound: () => AppError): void {
  if (actor.customerId !== null && customerId !== actor.customerId) throw notFound();
}

/** The customer filter a list must apply: the actor's scope, or what was asked within it. */
export function scopedCustomerFilter(actor: Actor, requested: number | undefined): number | undefined {
  if (actor.customerId === null) return requested;
  return actor.customerId;
}

export function isAdminRole(value: string): value is AdminRole {
  return (ADMIN_ROLES as readonly string[]).includes(value);
}
