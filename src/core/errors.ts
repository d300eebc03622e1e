/**
 * Every failure a person can act on is an AppError: a stable code, the HTTP status an edge should
 * answer with, a message written for the reader, and structured details. Codes never change once
 * published; messages may be improved.
 */
export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;

/** The catalogue of errors. Text lives here, apart from the logic that raises them. */
export const errors = {
  notFound: (entity: string, id?: string | number) =>
    new AppError(
      `${entity}.not_found`,
      404,
      id === undefined
        ? `No such ${entity}.`
        : `No ${entity} with id ${id} exists, or it is outside your scope.`,
      id === undefined ? {} : { id },
    ),
  forbidden: (permission: string) =>
    new AppError('auth.forbidden', 403, `Your admin role does not allow this (${permission}).`, {
      permission,
    }),
  unauthenticated: () =>
    new AppError(
      'auth.unauthenticated',
      401,
      'Sign in, or send a valid API token in the Authorization header.',
    ),
  invalidCredentials: () =>
    new AppError('auth.invalid_credentials', 401, 'The email or password is not correct.'),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new AppError(
      'auth.too_many_attempts',
      429,
      `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
      { retryAfterSeconds },
    ),
  csrf: () =>
    new AppError(
      'auth.csrf_token_invalid',
      403,
      'This change needs the X-CSRF-Token header from your sign-in (or GET /api/v1/auth/me).',
    ),
  validation: (message: string, details: ErrorDetails = {}) =>
    new AppError('request.invalid', 400, message, details),
  conflict: (code: string, message: string, details: ErrorDetails = {}) =>
    new AppError(code, 409, message, details),
  unprocessable: (code: string, message: string, details: ErrorDetails = {}) =>
    new AppError(code, 422, message, details),
  /** The client closed the connection: what it asked for stops, and nobody reads this answer. */
  clientGone: () =>
    new AppError(
      'request.aborted',
      499,
      'The connection closed before the answer was sent; nothing was kept.',
    ),
};
