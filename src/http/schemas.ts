import { z } from 'zod';
import { BULK_ACTIONS, MAX_BULK_IDS } from '../app/users/bulk-users.js';
import { ADMIN_ROLES, PERMISSIONS } from '../core/access/policy.js';
import { ATTRIBUTE_TYPES } from '../core/domain/attributes.js';
import { EMAIL_MAX_LENGTH } from '../core/domain/email.js';
import { MAX_ID } from '../core/domain/entities.js';
import { ATTRIBUTE_ENTITY_TYPES } from '../core/domain/records.js';
import { USER_STATUSES, USER_TYPES } from '../core/domain/user.js';
import { ERROR_CODES } from '../core/errors.js';
import { optionalTextInputs, userValuesShape } from './user-shapes.js';

/**
 * The API's shapes. Each schema checks requests (strictly: unknown fields are refused) and is the
 * source of the OpenAPI document, so the two cannot drift.
 */
export const FieldProblem = z
  .object({
    field: z
      .string()
      .describe(
        'Dotted path of the field: body fields by name (`email`, `attributes.costCenter`, `roleIds.0`), others under `query.`, `params.` or `headers.`',
      ),
    code: z
      .string()
      .describe('What is wrong, e.g. email.invalid; `schema.*` codes come from the request schema'),
    message: z.string().describe('What is wrong with the field and what to do, for a person'),
  })
  .meta({ id: 'FieldProblem' });

export const ErrorBody = z
  .object({
    code: z
      .enum(ERROR_CODES)
      .describe('Stable machine-readable code; `x-error-codes` lists each with its status and message'),
    message: z.string().describe('What went wrong and what to do, for a person'),
    details: z
      .object({
        problems: z
          .array(FieldProblem)
          .optional()
          .describe('Every problem with a field of the request, whatever found it'),
      })
      .catchall(z.unknown()),
  })
  .meta({ id: 'Error' });

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
} as const;

/** An object's id in a body. */
export const id = () => z.number().int().positive().max(MAX_ID);
/** An object's id in a path or query string, where it arrives as text. */
export const idText = () => z.coerce.number().int().positive().max(MAX_ID);

export const IdParam = z.object({ id: idText() }).strict();
export const Ok = z.object({ ok: z.literal(true) });

const text = (max: number) => z.string().max(max);
const email = z.string().max(EMAIL_MAX_LENGTH);
const isoDate = z.string();

const RefName = z.object({ id: z.number(), name: z.string() });

export const Customer = z
  .object({
    id: z.number(),
    name: z.string(),
    externalId: z.string().nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Customer' });
export const CustomerCreate = z
  .object({ name: text(200), externalId: text(100).nullable().optional() })
  .strict();
export const CustomerUpdate = CustomerCreate.partial().strict();

export const Site = z
  .object({ id: z.number(), customerId: z.number(), name: z.string(), createdAt: isoDate })
  .meta({ id: 'Site' });
export const SiteInput = z.object({ name: text(100) }).strict();
export const SiteParams = z.object({ id: idText(), siteId: idText() }).strict();

export const Contact = z
  .object({
    id: z.number(),
    customerId: z.number(),
    firstName: z.string(),
    lastName: z.string(),
    email: z.string().nullable(),
    externalId: z.string().nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Contact' });
export const ContactCreate = z
  .object({
    customerId: id(),
    firstName: text(100).optional(),
    lastName: text(100).optional(),
    email: email.nullable().optional(),
    externalId: text(100).nullable().optional(),
  })
  .strict();
export const ContactUpdate = ContactCreate.partial().strict();
export const ContactListQuery = z
  .object({
    q: text(200)
      .optional()
      .describe(
        'Prefix of first name, last name, "first last" or email (any case), or the external id exactly',
      ),
    customerId: idText().optional(),
    cursor: z.coerce.number().int().nonnegative().max(MAX_ID).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const PortalRole = z
  .object({
    id: z.number(),
    name: z.string(),
    description: z.string(),
    active: z.boolean(),
    createdAt: isoDate,
  })
  .meta({ id: 'PortalRole' });
export const RoleCreate = z
  .object({ name: text(100), description: text(500).optional(), active: z.boolean().optional() })
  .strict();
export const RoleUpdate = RoleCreate.partial().strict();

export const Group = z
  .object({
    id: z.number(),
    name: z.string(),
    description: z.string(),
    roleIds: z.array(z.number()),
    createdAt: isoDate,
  })
  .meta({ id: 'Group' });
export const GroupCreate = z
  .object({
    name: text(100),
    description: text(500).optional(),
    roleIds: z.array(id()).max(1000).optional(),
  })
  .strict();
export const GroupUpdate = GroupCreate.partial().strict();

export const AttributeDefinition = z
  .object({
    id: z.number(),
    key: z.string(),
    label: z.string(),
    type: z.enum(ATTRIBUTE_TYPES),
    options: z.array(z.string()),
    required: z.boolean(),
    description: z.string(),
    entityType: z.enum(ATTRIBUTE_ENTITY_TYPES).describe('What it extends: portal users, or a record type'),
    createdAt: isoDate,
  })
  .meta({ id: 'AttributeDefinition' });
export const AttributeCreate = z
  .object({
    key: text(63),
    label: text(100),
    type: z.enum(ATTRIBUTE_TYPES),
    options: z.array(text(200)).max(500).optional(),
    required: z.boolean().optional(),
    description: text(500).optional(),
    entityType: z
      .enum(ATTRIBUTE_ENTITY_TYPES)
      .optional()
      .describe(
        'What it extends: `user` (the default) or a record type; it becomes a field of its import template',
      ),
  })
  .strict();
export const AttributeUpdate = AttributeCreate.omit({ key: true, type: true, entityType: true })
  .partial()
  .strict();
export const AttributeListQuery = z
  .object({
    entityType: z
      .enum(ATTRIBUTE_ENTITY_TYPES)
      .optional()
      .describe('Only the definitions of this entity type'),
  })
  .strict();

const { customerId: _customerId, siteId: _siteId, ...shownValues } = userValuesShape;

export const PortalUser = z
  .object({
    id: z.number(),
    ...shownValues,
    customer: RefName,
    site: RefName,
    roles: z.array(RefName),
    groups: z.array(RefName),
    activatedAt: isoDate.nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
    version: z.number(),
    importId: z.number().nullable().describe('The last import that created or changed the user.'),
    createdByImportId: z
      .number()
      .nullable()
      .describe('The import that created the user; null when created by hand or through the API.'),
  })
  .meta({ id: 'PortalUser' });

export const UserCreate = z
  .object({
    email,
    username: text(64).nullable().optional(),
    firstName: text(100).optional(),
    lastName: text(100).optional(),
    displayName: text(200).nullable().optional(),
    customerId: id(),
    siteId: id().nullable().optional(),
    contactId: id().nullable().optional(),
    userType: z.enum(USER_TYPES).optional(),
    ...optionalTextInputs,
    attributes: z.record(text(63), z.union([text(1000), z.number(), z.boolean(), z.null()])).optional(),
    status: z.enum(USER_STATUSES).optional(),
    roleIds: z.array(id()).max(200).optional(),
    groupIds: z.array(id()).max(200).optional(),
  })
  .strict();
export const UserUpdate = UserCreate.partial().strict();

export const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',').filter((s) => s !== '') : v),
    z.array(item).max(20),
  );

const userSelection = {
  q: text(200)
    .optional()
    .describe(
      'Text that the email, username, a name or the employee number contains (any case); one or two characters match the start of the email, username, display name or last name',
    ),
  status: csv(z.enum(USER_STATUSES)).optional().describe('One or more statuses, comma separated'),
  customerId: idText().optional(),
  siteId: idText().optional(),
  roleId: idText().optional(),
  groupId: idText().optional(),
  importId: idText().optional(),
};

export const UserListQuery = z
  .object({
    ...userSelection,
    sort: z.enum(['createdAt', 'email', 'username', 'displayName', 'lastName']).optional(),
    order: z.enum(['asc', 'desc']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: text(500).optional().describe('nextCursor of the previous page (keyset paging)'),
    offset: z.coerce.number().int().min(0).max(10_000_000).optional().describe('Rows to skip (page numbers)'),
  })
  .strict();

export const UserExportQuery = z
  .object({ ...userSelection, format: z.enum(['csv', 'xlsx']).default('xlsx') })
  .strict();

export const UserBulkRequest = z
  .object({
    action: z.enum(BULK_ACTIONS),
    groupId: idText().optional().describe('The group, for add_to_group and remove_from_group'),
    selection: z.union([
      z
        .object({ ids: z.array(idText()).min(1).max(MAX_BULK_IDS) })
        .strict()
        .describe('These users; any outside your scope are skipped and reported as failures'),
      z
        .object({ filter: z.object(userSelection).strict() })
        .strict()
        .describe("Every user the list's filters match (as GET /api/v1/users takes them), within your scope"),
    ]),
  })
  .strict();

export const UserBulkAction = z
  .object({
    id: z.number(),
    action: z.enum(BULK_ACTIONS),
    groupId: z.number().nullable(),
    status: z.enum(['queued', 'running', 'done']),
    progress: z.object({ done: z.number(), total: z.number() }),
    counts: z.object({ changed: z.number(), unchanged: z.number(), failed: z.number() }),
    failures: z
      .array(z.object({ userId: z.number(), code: z.string(), message: z.string() }))
      .describe('The first 1,000 users not changed, with the reason'),
    createdBy: z.string(),
    createdAt: isoDate,
    finishedAt: isoDate.nullable(),
  })
  .meta({ id: 'UserBulkAction' });

export const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), nextCursor: z.string().nullable() });

export const UserPage = page(PortalUser).extend({
  totalExact: z
    .boolean()
    .describe('False when a contains search matched more users than it counts: total is then a lower bound'),
});

export const Admin = z
  .object({
    id: z.number(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ADMIN_ROLES),
    customerId: z.number().nullable(),
    disabled: z.boolean(),
    createdAt: isoDate,
    lastLoginAt: isoDate.nullable(),
  })
  .meta({ id: 'Admin' });
export const AdminCreate = z
  .object({
    email,
    name: text(100),
    role: z.enum(ADMIN_ROLES),
    customerId: id().nullable().optional(),
    password: text(256),
  })
  .strict();
export const AdminUpdate = AdminCreate.partial().extend({ disabled: z.boolean().optional() }).strict();

export const ApiToken = z
  .object({
    id: z.number(),
    adminId: z.number(),
    name: z.string(),
    prefix: z.string(),
    createdAt: isoDate,
    expiresAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
  })
  .meta({ id: 'ApiToken' });
export const TokenCreate = z
  .object({
    name: text(100),
    adminId: id().optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();
export const TokenCreated = z.object({
  token: ApiToken,
  secret: z.string().describe('The token itself. Shown once; only its hash is stored.'),
});

export const LoginBody = z.object({ email: text(EMAIL_MAX_LENGTH), password: text(256) }).strict();
export const SignedIn = z.object({
  admin: Admin,
  csrfToken: z.string().describe('Send as X-CSRF-Token on every cookie-authenticated change'),
  expiresAt: isoDate,
});
export const Me = z.object({
  admin: Admin,
  via: z.enum(['session', 'token']),
  csrfToken: z.string().nullable(),
  permissions: z.array(z.enum(PERMISSIONS)),
});

export const Settings = z
  .object({
    importMaxFileBytes: z.number(),
    importMaxRows: z.number(),
    importMaxOwners: z.number(),
    inviteTtlDays: z.number(),
    inviteReminderDays: z
      .number()
      .describe('Days after an invitation that one reminder goes to a user still pending; 0: none'),
    mailRatePerMinute: z.number(),
    portalName: z.string(),
    importFinishedEmail: z.boolean(),
    mailFrom: z
      .string()
      .describe(
        'The From of every email (invitations, reminders, notifications): an address, or a display name and the address in angle brackets; MAIL_FROM until set',
      ),
    contactUsersRequireAdministrator: z
      .boolean()
      .describe('Only admins with the Administrator role may create and commit contact-users imports'),
  })
  .meta({ id: 'Settings' });

export const AuditEntry = z
  .object({
    id: z.number(),
    at: isoDate,
    actorKind: z.string(),
    actorId: z.number().nullable(),
    actorLabel: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    customerId: z.number().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
export const AuditPage = z
  .object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });
export const UserHistoryQuery = z
  .object({
    before: idText().optional().describe('nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export const AuditQuery = z
  .object({
    entityType: text(50).optional(),
    entityId: text(50).optional(),
    before: idText().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
