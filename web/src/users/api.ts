import { get, request, withParams } from '../lib/api';
import type {
  AttributeInfo,
  AuditItem,
  BulkAction,
  BulkRequest,
  CustomerInfo,
  EmailInfo,
  GroupInfo,
  InvitationInfo,
  RoleInfo,
  SiteInfo,
  User,
  UserCreateInput,
  UserPage,
  UserQuery,
  UserUpdateInput,
} from './types';

export const listUsers = (query: UserQuery) => get<UserPage>('/api/v1/users', query);

/** The users a list shows (its search and filters), as a users template to edit and upload back. */
export const exportUrl = (query: UserQuery, format: 'csv' | 'xlsx') => {
  const { limit: _limit, offset: _offset, sort: _sort, order: _order, ...selection } = query;
  return withParams('/api/v1/users/export', { ...selection, format });
};
/** A bulk action on users, run as a job: answers at once, then `getBulkAction` follows its progress. */
export const startBulkAction = (body: BulkRequest) => request<BulkAction>('POST', '/api/v1/users/bulk', body);
export const getBulkAction = (id: number) => get<BulkAction>(`/api/v1/users/bulk/${id}`);

export const getUser = (id: number) => get<User>(`/api/v1/users/${id}`);
export const createUser = (input: UserCreateInput) => request<User>('POST', '/api/v1/users', input);
export const updateUser = (id: number, patch: UserUpdateInput) =>
  request<User>('PATCH', `/api/v1/users/${id}`, patch);

export const inviteUser = (id: number) =>
  request<InvitationInfo>('POST', `/api/v1/users/${id}/invitations`, {});
export const listInvitations = (id: number) => get<InvitationInfo[]>(`/api/v1/users/${id}/invitations`);
export const listEmails = (id: number) => get<EmailInfo[]>(`/api/v1/users/${id}/emails`);
/** A user's history, newest first: audit entries about them and the imports that changed them. */
export const listUserHistory = (id: number, before?: string) =>
  get<{ items: AuditItem[]; nextCursor: string | null }>(`/api/v1/users/${id}/history`, {
    before,
    limit: 50,
  });

// The directory's lists, for filters and the user form.
export const listCustomers = () => get<CustomerInfo[]>('/api/v1/customers');
export const listSites = (customerId: number) => get<SiteInfo[]>(`/api/v1/customers/${customerId}/sites`);
export const listRoles = () => get<RoleInfo[]>('/api/v1/roles');
export const listGroups = () => get<GroupInfo[]>('/api/v1/groups');
/** The portal users' own custom attributes (record types have theirs). */
export const listAttributes = () => get<AttributeInfo[]>('/api/v1/attributes', { entityType: 'user' });
