import { get, request } from '../lib/api';
import type { RecordItem, RecordPage, RecordPatch, RecordQuery } from './types';

export const listRecords = (query: RecordQuery) => get<RecordPage>('/api/v1/records', query);
export const getRecord = (id: number) => get<RecordItem>(`/api/v1/records/${id}`);
export const updateRecord = (id: number, patch: RecordPatch) =>
  request<RecordItem>('PATCH', `/api/v1/records/${id}`, patch);
export const deleteRecord = (id: number) => request<{ ok: true }>('DELETE', `/api/v1/records/${id}`);
