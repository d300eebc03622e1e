/** Portal users: the vocabulary and the rules that hold whatever edge a change comes from. */
export const USER_STATUSES = ['pending', 'active', 'expired', 'disabled', 'blocked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** Statuses a new user may start in, whether an admin or an import creates it. */
export const NEW_USER_STATUSES: readonly UserStatus[] = ['pending', 'active'];

/**
 * Statuses an admin may move an existing user to. `disabled` is the disable action (enabling moves
 * back to pending or active); `expired` is the system's verdict on an unused invitation.
 */
export const ADMIN_SETTABLE_STATUSES: readonly UserStatus[] = ['pending', 'active', 'disabled'];

/** Statuses kept for users that hold them from earlier systems, never given to anyone. */
export const HISTORICAL_STATUSES: readonly UserStatus[] = ['blocked'];

export const USER_TYPES = ['Standard', 'Privileged'] as const;
export type UserType = (typeof USER_TYPES)[number];
export const DEFAULT_USER_TYPE: UserType = 'Standard';
export const DEFAULT_SITE_NAME = 'HQ';

export const NAME_MAX_LENGTH = 100;
export const DISPLAY_NAME_MAX_LENGTH = 200;
export const ACCESS_LEVEL_MAX_LENGTH = 100;
export const EMPLOYEE_NUMBER_MAX_LENGTH = 50;

/** Display name when none is given: "First Last", else the email. */
export function defaultDisplayName(firstName: string, lastName: string, email: string): string {
  const full = `${firstName} ${lastName}`.trim();
  return full === '' ? email : full;
}

export function isUserStatus(value: string): value is UserStatus {
  return (USER_STATUSES as readonly string[]).includes(value);
}
