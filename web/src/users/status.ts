import type { UserStatus } from './types';

export const STATUS_COLORS: Record<UserStatus, string> = {
  pending: 'yellow',
  active: 'green',
  expired: 'gray',
  disabled: 'red',
  blocked: 'dark',
};
export const STATUSES = Object.keys(STATUS_COLORS) as UserStatus[];
export const statusLabel = (s: string) => s[0]!.toUpperCase() + s.slice(1);
export const displayName = (u: { displayName: string; firstName: string; lastName: string; email: string }) =>
  u.displayName || `${u.firstName} ${u.lastName}`.trim() || u.email;
