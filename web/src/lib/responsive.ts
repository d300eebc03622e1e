import { useMediaQuery } from '@mantine/hooks';

/**
 * Below Mantine's `sm` breakpoint (48em): a phone held upright. Read before the first paint, so that
 * a table does not draw its columns in one order and then the other.
 */
export function usePhone(): boolean {
  return useMediaQuery('(max-width: 47.99em)', false, { getInitialValueInEffect: false }) ?? false;
}

/**
 * Columns in the order a screen shows them: on a phone the row actions (`id: 'actions'`) come first,
 * so that a table wider than the screen still shows each row's buttons without sideways scrolling.
 */
export function actionsFirst<C extends { id?: string | undefined }>(
  columns: readonly C[],
  phone: boolean,
): C[] {
  if (!phone) return [...columns];
  return [...columns.filter((c) => c.id === 'actions'), ...columns.filter((c) => c.id !== 'actions')];
}
