import { Text } from '@mantine/core';
import { formatNumber } from '../../lib/format';
import type { Import } from '../types';

/** Whether the import has updates, so the review offers their diffs and the "change nothing" filter. */
export const hasUpdates = (view: Import) => (view.planned.update ?? 0) + (view.planned.unchanged ?? 0) > 0;

/** What a commit would do, updates split into those that change something and those that do not. */
export function PlannedCounts({ view }: { view: Import }) {
  const p = view.planned;
  return (
    <Text size="sm" data-testid="planned">
      Will create {formatNumber(p.create ?? 0)}, change {formatNumber(p.update ?? 0)}, leave{' '}
      {formatNumber(p.unchanged ?? 0)} unchanged,{' '}
      {(p.delete ?? 0) > 0 && `delete ${formatNumber(p.delete ?? 0)}, `}
      skip {formatNumber((p.skip ?? 0) + view.rows.invalid)}
    </Text>
  );
}
