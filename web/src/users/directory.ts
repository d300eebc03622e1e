import { useQuery } from '@tanstack/react-query';
import { listAttributes, listCustomers, listGroups, listRoles, listSites } from './api';

/** The directory's lists change rarely: a minute's cache serves every filter and form. */
const STALE_MS = 60_000;

export const useCustomers = () =>
  useQuery({ queryKey: ['customers'], queryFn: listCustomers, staleTime: STALE_MS });
export const useRoles = () => useQuery({ queryKey: ['roles'], queryFn: listRoles, staleTime: STALE_MS });
export const useGroups = () => useQuery({ queryKey: ['groups'], queryFn: listGroups, staleTime: STALE_MS });
export const useAttributes = () =>
  useQuery({ queryKey: ['attributes', 'user'], queryFn: listAttributes, staleTime: STALE_MS });
export const useSites = (customerId: number | null) =>
  useQuery({
    queryKey: ['customers', customerId, 'sites'],
    queryFn: () => listSites(customerId!),
    enabled: customerId !== null,
    staleTime: STALE_MS,
  });

export const options = (items: { id: number; name: string }[] | undefined) =>
  (items ?? []).map((i) => ({ value: String(i.id), label: i.name }));
