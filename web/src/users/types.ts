import type { z } from 'zod';
import type { Email, Invitation } from '../../../src/http/mail-schemas.js';
import type {
  AttributeDefinition,
  AuditEntry,
  Customer,
  Group,
  PortalRole,
  PortalUser,
  Site,
  UserBulkAction,
  UserBulkRequest,
  UserCreate,
  UserListQuery,
  UserPage as UserPageSchema,
  UserUpdate,
} from '../../../src/http/schemas.js';

export type User = z.infer<typeof PortalUser>;
export type UserStatus = User['status'];
export type UserPage = z.infer<typeof UserPageSchema>;
export type UserQuery = Partial<z.output<typeof UserListQuery>>;
export type UserSort = NonNullable<UserQuery['sort']>;
export type UserCreateInput = z.input<typeof UserCreate>;
export type UserUpdateInput = z.input<typeof UserUpdate>;
export type AttributeValue = NonNullable<UserCreateInput['attributes']>[string];

export type CustomerInfo = z.infer<typeof Customer>;
export type SiteInfo = z.infer<typeof Site>;
export type RoleInfo = z.infer<typeof PortalRole>;
export type GroupInfo = z.infer<typeof Group>;
export type AttributeInfo = z.infer<typeof AttributeDefinition>;
export type AuditItem = z.infer<typeof AuditEntry>;
export type InvitationInfo = z.infer<typeof Invitation>;
export type EmailInfo = z.infer<typeof Email>;
export type BulkRequest = z.input<typeof UserBulkRequest>;
export type BulkAction = z.infer<typeof UserBulkAction>;
export type BulkActionKind = BulkAction['action'];
