import type { AdminRole } from '../access/policy.js';
import type { AttributeType } from './attributes.js';
import type { AttributeEntityType } from './records.js';
import type { UserValues } from './user.js';

/**
 * The largest id any object can have: keys are 32-bit integers (PostgreSQL `serial`). A larger
 * number names nothing, and must be refused before it reaches the database, which would fail on it.
 */
export const MAX_ID = 2_147_483_647;

/** The objects use cases hand to the edges. Field names are the API's. */
export interface Customer {
  id: number;
  name: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Site {
  id: number;
  customerId: number;
  name: string;
  createdAt: string;
}

export interface Contact {
  id: number;
  customerId: number;
  firstName: string;
  lastName: string;
  email: string | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PortalRole {
  id: number;
  name: string;
  description: string;
  active: boolean;
  createdAt: string;
}

export interface Group {
  id: number;
  name: string;
  description: string;
  roleIds: number[];
  createdAt: string;
}

export interface AttributeDefinitionView {
  id: number;
  key: string;
  label: string;
  type: AttributeType;
  options: string[];
  required: boolean;
  description: string;
  /** What the attribute extends: `user`, or a record type. */
  entityType: AttributeEntityType;
  createdAt: string;
}

export interface RefName {
  id: number;
  name: string;
}

/** A user as shown: its values (core/domain/user.ts), its customer and site named, its memberships. */
export interface PortalUser extends Omit<UserValues, 'customerId' | 'siteId'> {
  id: number;
  customer: RefName;
  site: RefName;
  roles: RefName[];
  groups: RefName[];
  activatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** The last import that created or changed the user. */
  importId: number | null;
  /** The import that created the user; null when created by hand or through the API. */
  createdByImportId: number | null;
}

export interface Admin {
  id: number;
  email: string;
  name: string;
  role: AdminRole;
  customerId: number | null;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface ApiToken {
  id: number;
  adminId: number;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actorKind: string;
  actorId: number | null;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  customerId: number | null;
  details: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}
