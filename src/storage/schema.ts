import type { Generated } from 'kysely';

/**
 * Table shapes as the database holds them. Booleans are 0/1 integers and JSON is text on both
 * databases, so one query reads the same values from SQLite and PostgreSQL. Timestamps are ISO
 * 8601 strings in UTC (text on SQLite, timestamptz read back as ISO on PostgreSQL).
 */
export interface Database {
  customers: CustomersTable;
  sites: SitesTable;
  contacts: ContactsTable;
  portal_roles: PortalRolesTable;
  groups: GroupsTable;
  group_roles: GroupRolesTable;
  attribute_definitions: AttributeDefinitionsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  user_groups: UserGroupsTable;
  admins: AdminsTable;
  admin_sessions: AdminSessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  login_throttle: LoginThrottleTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  import_fixes: ImportFixesTable;
  user_bulk_actions: UserBulkActionsTable;
  import_changes: ImportChangesTable;
  import_owners: ImportOwnersTable;
  import_files: ImportFilesTable;
  notifications: NotificationsTable;
  import_configs: ImportConfigsTable;
  invitations: InvitationsTable;
  invitation_tokens: InvitationTokensTable;
  outbox: OutboxTable;
  mailbox: MailboxTable;
  mail_state: MailStateTable;
  portal_sessions: PortalSessionsTable;
  records: RecordsTable;
  user_search: UserSearchTable;
  user_search_pending: UserSearchPendingTable;
  user_search_state: UserSearchStateTable;
}

type Id = Generated<number>;
type Flag = number;

export interface CustomersTable {
  id: Id;
  name: string;
  name_key: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SitesTable {
  id: Id;
  customer_id: number;
  name: string;
  name_key: string;
  created_at: string;
}

export interface ContactsTable {
  id: Id;
  customer_id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  external_id: string | null;
  /** Lower-cased first name, last name and email: the contact search's prefix keys. */
  first_name_key: string;
  last_name_key: string;
  email_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface PortalRolesTable {
  id: Id;
  name: string;
  description: string;
  active: Flag;
  created_at: string;
}

export interface GroupsTable {
  id: Id;
  name: string;
  description: string;
  created_at: string;
}

export interface GroupRolesTable {
  group_id: number;
  role_id: number;
}

export interface AttributeDefinitionsTable {
  id: Id;
  key: string;
  label: string;
  type: string;
  options: string;
  required: Flag;
  description: string;
  created_at: string;
  /** What the attribute extends: `user`, or a record type (`customers`, `appointments`…). */
  entity_type: string;
}

export interface UsersTable {
  id: Id;
  email: string;
  email_key: string;
  username: string;
  username_key: string;
  first_name: string;
  last_name: string;
  last_name_key: string;
  display_name: string;
  display_name_key: string;
  customer_id: number;
  site_id: number;
  contact_id: number | null;
  user_type: string;
  access_level: string | null;
  employee_number: string | null;
  /** The employee number's lookup key (core/domain/user.ts employeeNumberKey); not unique. */
  employee_number_key: string | null;
  attributes: string;
  status: string;
  password_hash: string | null;
  activated_at: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped on every change: lets an undo tell whether someone edited the row since. */
  version: number;
  /** The last import that created or changed the user. */
  import_id: number | null;
  /** The import that created the user (null: created by hand or through the API). */
  created_by_import_id: number | null;
}

export interface UserRolesTable {
  user_id: number;
  role_id: number;
}

export interface UserGroupsTable {
  user_id: number;
  group_id: number;
}

export interface AdminsTable {
  id: Id;
  email: string;
  email_key: string;
  name: string;
  role: string;
  customer_id: number | null;
  password_hash: string;
  disabled: Flag;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface AdminSessionsTable {
  id: Id;
  token_hash: string;
  admin_id: number;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: Id;
  admin_id: number;
  name: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface AuditLogTable {
  id: Id;
  at: string;
  actor_kind: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  customer_id: number | null;
  details: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  /** When the next attempt may come (ms); earlier ones are refused. */
  locked_until: number | null;
  /** 1: the latest attempt was refused. */
  refused: Generated<number>;
}

export interface ImportsTable {
  id: Id;
  target: string;
  status: string;
  customer_id: number | null;
  /** The customer scope of the admin who started it: later actions keep to it. */
  scope_customer_id: number | null;
  created_by_admin_id: number | null;
  created_by_label: string;
  created_at: string;
  updated_at: string;
  file_name: string;
  file_size: number;
  file_sha256: string;
  file_format: string;
  file_meta: string;
  header: string;
  mapping: string;
  options: string;
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  planned: string;
  progress_done: number;
  progress_total: number;
  /** Rows up to this number are committed: a restarted job resumes after it. */
  committed_through: number;
  /** A commit of the first N rows (`firstRows`) stops after this row; null: it commits every row. */
  commit_stop_row: number | null;
  counts: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  rollback: string | null;
  duplicate_of: number | null;
  cancel_requested: Flag;
  /** The worker running this import's job, and until when (epoch ms) its claim holds. */
  lease_owner: string | null;
  lease_until: number | null;
}

export interface ImportRowsTable {
  import_id: number;
  row_number: number;
  cells: string;
  k1: string | null;
  k2: string | null;
  k3: string | null;
  k4: string | null;
  valid: Flag;
  action: string | null;
  problems: string | null;
  codes: string | null;
  result: string | null;
  result_id: number | null;
  result_message: string | null;
  /** The owner the row resolved to, on imports grouped by owner (a user id). */
  owner_id: number | null;
  /** What the row named as its owner when it matched nobody (for the unmatched list). */
  owner_value: string | null;
  /** An update's diff, JSON `FieldChange[]` (`[]`: it changes nothing); null for other rows. */
  changes: string | null;
}

/** What the admin decided for each owner of a grouped import, and where that owner is. */
export interface ImportOwnersTable {
  import_id: number;
  owner_id: number;
  included: Flag;
  state: string;
  /** The owner's first row in the file: owners are taken in file order. */
  first_row: number;
  /** The commit request that queued the owner (counted per import): progress counts its owners. */
  job: number;
  /** The owner's result counts (JSON) once imported. */
  result: string | null;
  /** The owner's staged rows and how many of them are valid, kept by `storeOwnerCounts` (migration 0020). */
  row_count: Generated<number>;
  valid_count: Generated<number>;
}

/** Bulk fixes made to an import's staged rows in the review, in order (migration 0019). */
export interface ImportFixesTable {
  id: Id;
  import_id: number;
  kind: string;
  column_index: number;
  column_name: string;
  /** The fix's own terms as JSON (the value map, the text found and its replacement). */
  details: string;
  rows_changed: number;
  created_by_label: string;
  created_at: string;
}

/** Bulk actions on users, run as jobs in batches (migration 0021). */
export interface UserBulkActionsTable {
  id: Id;
  action: string;
  group_id: number | null;
  /** JSON: `{ ids }` or `{ filter }`. */
  selection: string;
  /** JSON: the actor the job acts as. */
  actor: string;
  customer_id: number | null;
  status: string;
  total: number;
  done: number;
  after_id: number;
  changed: number;
  unchanged: number;
  failed: number;
  /** JSON array of `{ userId, code, message }`, the first ones only. */
  failures: string;
  created_by_label: string;
  created_at: string;
  finished_at: string | null;
}

/** The restore points of imports: one row per import and entity it created or changed. */
export interface ImportChangesTable {
  import_id: number;
  /** What the entity is, as its target's restore point names it (`user`, …). */
  entity_type: string;
  entity_id: number;
  change: string;
  before: string | null;
  version_after: number;
  /** Set once a rollback has dealt with this entity (reverted or reported). */
  reverted: Flag;
  /** The owner whose row wrote it, on imports grouped by owner: a rollback of one owner reads only these. */
  owner_id: number | null;
}

export interface NotificationsTable {
  id: Id;
  admin_id: number;
  kind: string;
  title: string;
  body: string;
  import_id: number | null;
  created_at: string;
  read_at: string | null;
}

export interface ImportConfigsTable {
  id: Id;
  name: string;
  name_key: string;
  target: string;
  mapping: string;
  options: string;
  created_by_label: string;
  created_at: string;
  updated_at: string;
  /** The customer scope of the admin who saved it; null: shared by every customer. */
  customer_id: number | null;
}

/** An invitation (purpose `activation`) or a password reset (`reset`): open, used, revoked or expired. */
export interface InvitationsTable {
  id: Id;
  user_id: number;
  purpose: string;
  status: string;
  import_id: number | null;
  created_by_label: string;
  created_at: string;
  expires_at: string;
  /** When it stopped being open (used, revoked by a newer one, or swept as expired). */
  closed_at: string | null;
  /** When its one reminder was queued (the reminder sweep's compare-and-set), or null. */
  reminded_at: string | null;
  /** The administrator's message in its email, said again in its reminder. */
  message: string | null;
}

export interface InvitationTokensTable {
  /** SHA-256 of the link's secret: the secret itself is only ever in the email. */
  token_hash: string;
  invitation_id: number;
  created_at: string;
}

export interface OutboxTable {
  id: Id;
  kind: string;
  recipient: string;
  recipient_name: string;
  subject: string;
  text_body: string;
  html_body: string;
  status: string;
  attempts: number;
  last_error: string | null;
  /** Epoch ms: not sent before then (back-off after a temporary failure). */
  next_attempt_at: number;
  /** The worker sending it, and until when (epoch ms) its claim holds. */
  claimed_by: string | null;
  claimed_until: number | null;
  message_id: string;
  import_id: number | null;
  user_id: number | null;
  invitation_id: number | null;
  customer_id: number | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface MailboxTable {
  id: Id;
  outbox_id: number;
  sender: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  raw: string;
  received_at: string;
}

export interface MailStateTable {
  id: number;
  paused: Flag;
  next_slot_at: number;
  run_started_at: number;
}

export interface PortalSessionsTable {
  id: Id;
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
}

/** An import's original file in chunks, in order of `seq` (used with PostgreSQL). */
export interface ImportFilesTable {
  import_id: number;
  seq: number;
  data: Uint8Array;
}

/** Records owned by portal users, of every type (migration 0015). */
export interface RecordsTable {
  id: Id;
  /** `customers`, `appointments`, `tasks` or `reports`. */
  type: string;
  owner_user_id: number;
  /** The owner's customer. */
  customer_id: number;
  /** The record's key as written (customer number, external id); unique per owner and type. */
  record_key: string;
  record_key_fold: string;
  /** Name, subject or title: what lists show and search. */
  title: string;
  title_key: string;
  /** The customer number of the owner's customers record this one refers to. */
  customer_ref: string | null;
  customer_ref_fold: string | null;
  /** Start, due date or date (ISO), for sorting. */
  record_date: string | null;
  /** JSON: the type's other fields. */
  fields: string;
  /** JSON: custom attributes of the type. */
  attributes: string;
  version: number;
  /** The last import that created or changed the record. */
  import_id: number | null;
  created_at: string;
  updated_at: string;
}

/**
 * The users' contains-search index (migration 0017). On PostgreSQL a table with a trigram index; on
 * SQLite an FTS5 table whose rowid is the user id (reached through raw SQL there).
 */
export interface UserSearchTable {
  user_id: number;
  body: string;
}

/**
 * Users the search index has not seen since they changed: noted by triggers on users (updates and
 * deletes; inserts too on PostgreSQL). On SQLite new users are every user above the mark below.
 */
export interface UserSearchPendingTable {
  seq: Generated<number>;
  user_id: number;
}

/** One row: the users above `indexed_through` are pending (migration 0023; the top of the id range on PostgreSQL). */
export interface UserSearchStateTable {
  id: number;
  indexed_through: number;
}
