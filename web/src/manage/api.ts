import { get, request } from '../lib/api';
import type {
  Admin,
  AdminCreate,
  AdminUpdate,
  ApiToken,
  Attribute,
  AttributeCreate,
  AttributeUpdate,
  AuditPage,
  AuditQuery,
  Contact,
  ContactCreate,
  ContactPage,
  ContactUpdate,
  Customer,
  CustomerCreate,
  CustomerUpdate,
  Group,
  GroupCreate,
  GroupUpdate,
  Role,
  RoleCreate,
  RoleUpdate,
  Settings,
  SettingsPatch,
  Site,
  TokenCreate,
  TokenCreated,
} from './types';

const v1 = '/api/v1';

export const listCustomers = (q?: string) => get<Customer[]>(`${v1}/customers`, { q });
export const getCustomer = (id: number) => get<Customer>(`${v1}/customers/${id}`);
export const createCustomer = (body: CustomerCreate) => request<Customer>('POST', `${v1}/customers`, body);
export const updateCustomer = (id: number, body: CustomerUpdate) =>
  request<Customer>('PATCH', `${v1}/customers/${id}`, body);
export const deleteCustomer = (id: number) => request('DELETE', `${v1}/customers/${id}`);

export const listSites = (customerId: number) => get<Site[]>(`${v1}/customers/${customerId}/sites`);
export const createSite = (customerId: number, name: string) =>
  request<Site>('POST', `${v1}/customers/${customerId}/sites`, { name });
export const renameSite = (customerId: number, siteId: number, name: string) =>
  request<Site>('PATCH', `${v1}/customers/${customerId}/sites/${siteId}`, { name });
export const deleteSite = (customerId: number, siteId: number) =>
  request('DELETE', `${v1}/customers/${customerId}/sites/${siteId}`);

export const listContacts = (query: { q?: string; customerId?: number; cursor?: number; limit: number }) =>
  get<ContactPage>(`${v1}/contacts`, query);
export const createContact = (body: ContactCreate) => request<Contact>('POST', `${v1}/contacts`, body);
export const updateContact = (id: number, body: ContactUpdate) =>
  request<Contact>('PATCH', `${v1}/contacts/${id}`, body);
export const deleteContact = (id: number) => request('DELETE', `${v1}/contacts/${id}`);

export const listRoles = () => get<Role[]>(`${v1}/roles`);
export const createRole = (body: RoleCreate) => request<Role>('POST', `${v1}/roles`, body);
export const updateRole = (id: number, body: RoleUpdate) => request<Role>('PATCH', `${v1}/roles/${id}`, body);
export const deleteRole = (id: number) => request('DELETE', `${v1}/roles/${id}`);

export const listGroups = () => get<Group[]>(`${v1}/groups`);
export const createGroup = (body: GroupCreate) => request<Group>('POST', `${v1}/groups`, body);
export const updateGroup = (id: number, body: GroupUpdate) =>
  request<Group>('PATCH', `${v1}/groups/${id}`, body);
export const deleteGroup = (id: number) => request('DELETE', `${v1}/groups/${id}`);

export const listAttributes = () => get<Attribute[]>(`${v1}/attributes`);
export const createAttribute = (body: AttributeCreate) =>
  request<Attribute>('POST', `${v1}/attributes`, body);
export const updateAttribute = (id: number, body: AttributeUpdate) =>
  request<Attribute>('PATCH', `${v1}/attributes/${id}`, body);
export const deleteAttribute = (id: number) => request('DELETE', `${v1}/attributes/${id}`);

export const listAdmins = () => get<Admin[]>(`${v1}/admins`);
export const createAdmin = (body: AdminCreate) => request<Admin>('POST', `${v1}/admins`, body);
export const updateAdmin = (id: number, body: AdminUpdate) =>
  request<Admin>('PATCH', `${v1}/admins/${id}`, body);
export const deleteAdmin = (id: number) => request('DELETE', `${v1}/admins/${id}`);

export const listTokens = () => get<ApiToken[]>(`${v1}/tokens`);
export const createToken = (body: TokenCreate) => request<TokenCreated>('POST', `${v1}/tokens`, body);
export const revokeToken = (id: number) => request('DELETE', `${v1}/tokens/${id}`);

export const getSettings = () => get<Settings>(`${v1}/settings`);
export const updateSettings = (body: SettingsPatch) => request<Settings>('PATCH', `${v1}/settings`, body);

export const listAudit = (query: AuditQuery) => get<AuditPage>(`${v1}/audit`, query);
