/**
 * Every failure a person can act on is an AppError: a stable code from the catalogue below, the
 * HTTP status an edge should answer with, a message written for the reader, and structured
 * details. Codes never change once published; messages may be improved.
 *
 * Errors about fields of a request have one shape whatever raised them (a schema, a domain rule,
 * a uniqueness check): `details.problems`, a list of `{field, code, message}`.
 */
export type ErrorDetails = Record<string, unknown>;

/** A problem with one field of a request: its dotted path (`attributes.costCenter`), a code, a message. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

interface CatalogueEntry {
  status: number;
  message: string;
}

/**
 * The catalogue of error codes: each with the HTTP status it answers with and its default message
 * (call sites may say more precisely what happened). The OpenAPI document lists it
 * (`x-error-codes`, and the `Error` schema's `code` enum).
 */
export const ERROR_CATALOGUE = {
  // Requests the API cannot take as sent.
  'request.invalid': { status: 400, message: 'The request is not valid; see details.problems.' },
  'request.malformed_json': { status: 400, message: 'The body is not valid JSON.' },
  'request.too_large': { status: 413, message: 'The request body is too large.' },
  'request.unsupported_media_type': { status: 415, message: 'Send the body as application/json.' },
  'request.multipart_required': {
    status: 415,
    message: 'Send the file as multipart/form-data, with the file in a field named "file".',
  },
  'request.rejected': { status: 400, message: 'The request was refused; details.status has its status.' },
  'route.not_found': { status: 404, message: 'There is no such route. See /api/docs for the API.' },
  'validation.failed': { status: 400, message: 'Some values are not valid; see details.problems.' },
  internal: { status: 500, message: 'Something went wrong on the server. It has been logged.' },

  // Sign-in and permissions.
  'auth.unauthenticated': {
    status: 401,
    message: 'Sign in, or send a valid API token in the Authorization header.',
  },
  'auth.invalid_credentials': { status: 401, message: 'The email or password is not correct.' },
  'auth.too_many_attempts': { status: 429, message: 'Too many attempts. Try again later.' },
  'auth.csrf_token_invalid': {
    status: 403,
    message: 'This change needs the X-CSRF-Token header from your sign-in (or GET /api/v1/auth/me).',
  },
  'auth.forbidden': { status: 403, message: 'Your admin role does not allow this.' },
  'auth.origin_forbidden': {
    status: 403,
    message:
      'Roster accepts changes and sign-ins only from its own pages (or from scripts without an Origin).',
  },
  'password.too_weak': { status: 400, message: 'Choose a stronger password.' },
  'invitation.link_invalid': {
    status: 410,
    message:
      'This link has expired or has already been used. Ask your administrator to send you a new invitation, or request a new password reset.',
  },
  'invitation.account_active': {
    status: 410,
    message:
      'This activation link was used already: the account is active. Sign in with its email and the password chosen then (or reset the password if it is forgotten).',
  },
  'invitation.not_invitable': {
    status: 409,
    message: 'Only pending and expired users get an invitation.',
  },

  // Objects that do not exist, or lie outside the admin's scope.
  'admin.not_found': { status: 404, message: 'No such admin, or it is outside your scope.' },
  'bulk_action.not_found': { status: 404, message: 'No such bulk action, or it is outside your scope.' },
  'attribute.not_found': { status: 404, message: 'No such custom attribute.' },
  'contact.not_found': { status: 404, message: 'No such contact, or it is outside your scope.' },
  'customer.not_found': { status: 404, message: 'No such customer, or it is outside your scope.' },
  'group.not_found': { status: 404, message: 'No such group.' },
  'import.not_found': { status: 404, message: 'No such import, or it is outside your scope.' },
  'import_config.not_found': { status: 404, message: 'No such import configuration.' },
  'import_config.shared': {
    status: 403,
    message:
      'This configuration is shared by every customer: only an admin without a customer scope may change it.',
  },
  'import_config.ambiguous': {
    status: 409,
    message: 'Several customers have a configuration of this name: choose it by id.',
  },
  'file.not_found': { status: 404, message: "No such file: the import's original was not kept." },
  'record.not_found': { status: 404, message: 'No such record, or it is outside your scope.' },
  'role.not_found': { status: 404, message: 'No such portal role.' },
  'row.not_found': { status: 404, message: 'The import has no such row.' },
  'site.not_found': { status: 404, message: 'No such site, or it is outside your scope.' },
  'token.not_found': { status: 404, message: 'No such API token, or it is outside your scope.' },
  'user.not_found': { status: 404, message: 'No such user, or it is outside your scope.' },

  // Conflicts with what exists.
  'admin.email_taken': { status: 409, message: 'An admin with this email exists.' },
  'admin.delete_self': { status: 409, message: 'You cannot delete your own admin account.' },
  'admin.last_administrator': {
    status: 409,
    message: 'This is the last unscoped administrator; keep it.',
  },
  'attribute.key_taken': { status: 409, message: 'An attribute with this key exists.' },
  'contact.external_id_taken': { status: 409, message: 'Another contact already has this external id.' },
  'record.key_taken': { status: 409, message: 'The owner has another record of this type with this key.' },
  'contact.in_use': {
    status: 409,
    message: 'A portal user is linked to this contact; unlink or delete it first.',
  },
  'customer.name_taken': { status: 409, message: 'A customer with this name (or external id) exists.' },
  'customer.in_use': {
    status: 409,
    message: 'This customer still has users or contacts; remove them first.',
  },
  'group.name_taken': { status: 409, message: 'A group with this name exists.' },
  'group.in_use': { status: 409, message: 'Users belong to this group; remove them first.' },
  'import_config.name_taken': { status: 409, message: 'A configuration with this name exists.' },
  'role.name_taken': {
    status: 409,
    message: 'A portal role with this name exists (names are case-sensitive).',
  },
  'role.in_use': {
    status: 409,
    message: 'This role is held by users or groups. Deactivate it instead, or remove it from them first.',
  },
  'site.name_taken': { status: 409, message: 'This customer already has a site with this name.' },
  'site.default_site': { status: 409, message: 'The default site cannot be renamed or deleted.' },
  'site.in_use': { status: 409, message: 'Users belong to this site; move them first.' },
  'user.email_taken': {
    status: 409,
    message: 'A user with this email exists (emails are compared ignoring case).',
  },
  'user.username_taken': { status: 409, message: 'This username is taken.' },
  'user.employee_number_taken': {
    status: 409,
    message: 'Another user has this employee number (compared ignoring case and surrounding spaces).',
  },

  // Imports: their files.
  'import.file_empty': { status: 422, message: 'The file has no rows with data.' },
  'import.file_unreadable': { status: 422, message: 'This file cannot be read as the format it claims.' },
  'import.file_rejected': { status: 422, message: 'This file was rejected.' },
  'import.file_too_large': { status: 413, message: 'The file is over the size limit.' },
  'import.too_many_rows': { status: 422, message: 'The file has more data rows than the limit.' },
  'import.too_many_owners': {
    status: 422,
    message: 'The file names more owners than one import takes; "roster import FILE --split" cuts it.',
  },
  'import.too_many_columns': { status: 422, message: 'A row has more columns than the limit.' },
  'import.cell_too_large': { status: 422, message: 'A cell or a row is longer than the limit.' },
  'import.unclosed_quote': {
    status: 422,
    message: 'A quote in the CSV file opens a cell that is never closed.',
  },
  'import.sheet_not_found': { status: 422, message: 'The workbook has no sheet by that name.' },
  'import.read_timeout': {
    status: 422,
    message: 'Reading the file took longer than the limit, so it was stopped.',
  },
  'import.too_much_data': { status: 422, message: "The file's cells hold more text than one import stages." },
  'import.server_busy': {
    status: 503,
    message: 'The server is already reading as many uploaded files as it may; try again shortly.',
  },
  /** Not an answer anybody reads: the client closed the connection, and what it asked for stopped. */
  'request.aborted': {
    status: 499,
    message: 'The connection closed before the answer was sent; nothing was kept.',
  },
  // Imports: their life (core/import/status.ts and the use cases).
  'import.not_validated': { status: 409, message: 'Map every required field before committing this import.' },
  'import.already_committing': {
    status: 409,
    message: 'This import is being committed; wait for it to finish.',
  },
  'import.already_committed': {
    status: 409,
    message: 'This import has been committed already. Upload the file again to import it anew.',
  },
  'import.not_committed': { status: 409, message: 'This import was never committed.' },
  'import.still_committing': {
    status: 409,
    message: 'Cancel the commit, or let it finish, before rolling back.',
  },
  'import.rolling_back': { status: 409, message: 'This import is being rolled back; wait for it to finish.' },
  'import.rolled_back': {
    status: 409,
    message: 'This import has been rolled back; nothing more can be done with it.',
  },
  'import.not_cancellable': { status: 409, message: 'This import cannot be cancelled.' },
  'import.partly_committed': {
    status: 409,
    message:
      'Some owners of this import are committed or skipped already: its mapping and options can no longer change.',
  },
  'import.not_grouped': {
    status: 409,
    message: 'This import’s rows are not grouped by owner: it has no owners to choose.',
  },
  'import.owner_not_pending': {
    status: 409,
    message: 'Only owners still pending can be chosen, excluded, committed or skipped.',
  },
  'import.owner_not_committed': {
    status: 409,
    message: 'Only owners whose rows were imported can be rolled back.',
  },
  'import.owner_excluded': {
    status: 409,
    message: 'This owner is excluded from the import: include them first, then import their rows.',
  },
  'import.no_owner_matched': {
    status: 409,
    message: 'No row names a user you may assign to: there is nothing to import. Check the owner column.',
  },
  'import.illegal_transition': { status: 409, message: 'This import cannot do that in its present status.' },
  'import.changed': { status: 409, message: 'This import changed meanwhile; reload it and try again.' },
  'import.confirm_deletes': {
    status: 409,
    message:
      'This import deletes users: commit it again with confirmDeletes, the number it deletes, to go ahead.',
  },
  'import.has_invalid_rows': {
    status: 409,
    message:
      'Rows are invalid and this import is all-or-nothing. Fix them, or turn off "atomic" to import only the valid rows.',
  },
  'import.nothing_to_commit': {
    status: 409,
    message: 'No row is valid: there is nothing to import. Fix the rows first.',
  },
  'import.atomic_row_failed': {
    status: 409,
    message: 'A row could not be imported; nothing was imported, as the import is all-or-nothing.',
  },
  'import.worker_replaced': { status: 409, message: 'Another worker took this job over; this one stopped.' },
  /** A target the settings keep to administrators (contact-users, with contactUsersRequireAdministrator). */
  'import.administrator_required': {
    status: 403,
    message: 'Only an admin with the Administrator role may run imports of this kind here.',
  },
  /** A JSON value stored in the database is not in the shape Roster wrote (storage/stored-json.ts). */
  'internal.stored_data': { status: 500, message: 'A stored value cannot be read.' },
  /** Not an answer to a request: the error an import records when its commit stopped unexpectedly. */
  'import.commit_failed': {
    status: 500,
    message: 'The commit stopped on an unexpected error; what was written can be rolled back.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCatalogue = typeof ERROR_CATALOGUE;
export type ErrorCode = keyof ErrorCatalogue;
/** The HTTP status the catalogue gives a code. */
export type ErrorStatus<C extends ErrorCode> = ErrorCatalogue[C]['status'];
/** The codes that answer with one HTTP status (`CodeWithStatus<409>`: the conflicts). */
export type CodeWithStatus<S extends number> = {
  [C in ErrorCode]: ErrorStatus<C> extends S ? C : never;
}[ErrorCode];

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export const isErrorCode = (value: string): value is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, value);

/**
 * An error with a code of the catalogue. The status must be the one the catalogue gives the code
 * (a type error otherwise); the message defaults to the catalogue's.
 */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: C,
    readonly status: ErrorStatus<C>,
    message: string = ERROR_CATALOGUE[code].message,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  toJSON(): { code: C; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** "45 seconds", "3 minutes": how long to wait, in words. */
export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** An error with its code's status from the catalogue. */
export function appError<C extends ErrorCode>(
  code: C,
  message?: string,
  details?: ErrorDetails,
): AppError<C> {
  return new AppError(code, ERROR_CATALOGUE[code].status, message, details);
}

/** `field: message`, and how many more problems there are: the message of an error listing problems. */
export function summarize(problems: readonly FieldProblem[]): string {
  const first = problems[0];
  if (!first) return 'The request is not valid.';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
  return `${first.field === '' ? '' : `${first.field}: `}${first.message}${more}`;
}

/** Entities whose absence has a code of its own (`user.not_found`, …). */
type NotFoundEntity = Exclude<
  ErrorCode extends infer C ? (C extends `${infer E}.not_found` ? E : never) : never,
  'route'
>;

/** The catalogue's errors, made with the details and wording of one occurrence. */
export const errors = {
  notFound: (entity: NotFoundEntity, id?: string | number) =>
    appError(
      `${entity}.not_found`,
      id === undefined
        ? `No such ${entity.replace('_', ' ')}.`
        : `No ${entity.replace('_', ' ')} with id ${id} exists, or it is outside your scope.`,
      id === undefined ? {} : { id },
    ),
  forbidden: (permission: string) =>
    appError('auth.forbidden', `Your admin role does not allow this (${permission}).`, { permission }),
  unauthenticated: (message?: string) => appError('auth.unauthenticated', message),
  invalidCredentials: () => appError('auth.invalid_credentials'),
  tooManyAttempts: (retryAfterSeconds: number, maxWaitMinutes: number) =>
    appError(
      'auth.too_many_attempts',
      `Too many sign-in attempts for this account or from your address. Wait ${waitText(retryAfterSeconds)} before trying again; each further failure makes the wait longer, up to ${maxWaitMinutes} minutes. A successful sign-in resets it.`,
      { retryAfterSeconds },
    ),
  csrf: () => appError('auth.csrf_token_invalid'),
  /** Problems with fields of the request (`request.invalid`, or `validation.failed` for domain rules). */
  problems: (
    problems: readonly FieldProblem[],
    code: 'request.invalid' | 'validation.failed' = 'request.invalid',
    message = summarize(problems),
  ) => appError(code, message, { problems }),
  /**
   * An error about one field: `details.problems` names it. `problem` is the problem's own code (the
   * error's code when omitted); `details` adds to the error's details.
   */
  field: <C extends ErrorCode>(
    code: C,
    field: string,
    message: string = ERROR_CATALOGUE[code].message,
    more: { problem?: string; details?: ErrorDetails } = {},
  ) =>
    appError(code, message, { ...more.details, problems: [{ field, code: more.problem ?? code, message }] }),
  /** A request that is not valid as a whole (no one field to blame). */
  request: (message: string, details: ErrorDetails = {}) => appError('request.invalid', message, details),
  conflict: (code: CodeWithStatus<409>, message?: string, details: ErrorDetails = {}) =>
    appError(code, message, details),
  /** The client closed the connection: what it asked for stops, and nobody reads this answer. */
  clientGone: () => appError('request.aborted'),
};
