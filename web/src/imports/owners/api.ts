import { request } from '../../lib/api';
import type { Import } from '../types';
import type { OwnersPage } from './types';

const base = (id: number) => `/api/v1/imports/${id}`;

export const getOwners = (id: number) => request<OwnersPage>('GET', `${base(id)}/owners`);
/** Sets which owners are left out (their Import box off); only pending owners may change. */
export const setExcluded = (id: number, excluded: number[]) =>
  request<OwnersPage>('PUT', `${base(id)}/owners`, { excluded });
/** Commits these owners' valid rows; without `owners`, every included pending owner. */
export const commitOwners = (id: number, owners?: number[]) =>
  request<Import>('POST', `${base(id)}/commit`, owners ? { owners } : {});
export const skipOwners = (id: number, owners: number[]) =>
  request<Import>('POST', `${base(id)}/owners/skip`, { owners });
/** Undoes what the import did for these owners; without `owners`, for everybody. */
export const rollbackOwners = (id: number, owners?: number[]) =>
  request<Import>('POST', `${base(id)}/rollback`, owners ? { owners } : {});
