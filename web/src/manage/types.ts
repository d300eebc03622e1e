// The shapes of the management pages, inferred from the API's own zod schemas (type-only).
import type { z } from 'zod';
import type { SettingsPatch as SettingsPatchSchema } from '../../../src/core/domain/settings.js';
import type {
  AdminCreate as AdminCreateSchema,
  Admin as AdminSchema,
  AdminUpdate as AdminUpdateSchema,
  ApiToken as ApiTokenSchema,
  AttributeCreate as AttributeCreateSchema,
  AttributeDefinition as AttributeSchema,
  AttributeUpdate as AttributeUpdateSchema,
  AuditEntry as AuditEntrySchema,
  AuditQuery as AuditQuerySchema,
  ContactCreate as ContactCreateSchema,
  Contact as ContactSchema,
  ContactUpdate as ContactUpdateSchema,
  CustomerCreate as CustomerCreateSchema,
  Customer as CustomerSchema,
  CustomerUpdate as CustomerUpdateSchema,
  GroupCreate as GroupCreateSchema,
  Group as GroupSchema,
  GroupUpdate as GroupUpdateSchema,
  RoleCreate as RoleCreateSchema,
  PortalRole as RoleSchema,
  RoleUpdate as RoleUpdateSchema,
  Settings as SettingsSchema,
  Site as SiteSchema,
  TokenCreated as TokenCreatedSchema,
  TokenCreate as TokenCreateSchema,
} from '../../../src/http/schemas.js';
import type { Page } from '../lib/types';

export type Customer = z.infer<typeof CustomerSchema>;
export type CustomerCreate = z.input<typeof CustomerCreateSchema>;
export type CustomerUpdate = z.input<typeof CustomerUpdateSchema>;
export type Site = z.infer<typeof SiteSchema>;

export type Contact = z.infer<typeof ContactSchema>;
export type ContactCreate = z.input<typeof ContactCreateSchema>;
export type ContactUpdate = z.input<typeof ContactUpdateSchema>;
export type ContactPage = Page<typeof ContactSchema>;

export type Role = z.infer<typeof RoleSchema>;
export type RoleCreate = z.input<typeof RoleCreateSchema>;
export type RoleUpdate = z.input<typeof RoleUpdateSchema>;

export type Group = z.infer<typeof GroupSchema>;
export type GroupCreate = z.input<typeof GroupCreateSchema>;
export type GroupUpdate = z.input<typeof GroupUpdateSchema>;

export type Attribute = z.infer<typeof AttributeSchema>;
export type AttributeType = Attribute['type'];
export type AttributeCreate = z.input<typeof AttributeCreateSchema>;
export type AttributeUpdate = z.input<typeof AttributeUpdateSchema>;

export type Admin = z.infer<typeof AdminSchema>;
export type AdminRole = Admin['role'];
export type AdminCreate = z.input<typeof AdminCreateSchema>;
export type AdminUpdate = z.input<typeof AdminUpdateSchema>;

export type ApiToken = z.infer<typeof ApiTokenSchema>;
export type TokenCreate = z.input<typeof TokenCreateSchema>;
export type TokenCreated = z.infer<typeof TokenCreatedSchema>;

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsPatch = z.input<typeof SettingsPatchSchema>;

export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditQuery = Partial<z.output<typeof AuditQuerySchema>>;
export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}
