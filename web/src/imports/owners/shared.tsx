import { Badge } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getOwners } from './api';
import type { ImportOwner, OwnerState } from './types';

const STATE_LABELS: Record<OwnerState, string> = {
  pending: 'To preview',
  queued: 'Queued',
  importing: 'Importing',
  imported: 'Imported',
  skipped: 'Skipped',
  failed: 'Failed',
  rolled_back: 'Rolled back',
};
const STATE_COLORS: Record<OwnerState, string> = {
  pending: 'blue',
  queued: 'cyan',
  importing: 'cyan',
  imported: 'green',
  skipped: 'yellow',
  failed: 'red',
  rolled_back: 'grape',
};

/** What happened to an owner, in words: an excluded owner reads "Excluded" whatever its state. */
export function ownerStateLabel(owner: ImportOwner): string {
  return owner.included ? STATE_LABELS[owner.state] : 'Excluded';
}

export function OwnerStateBadge({ owner }: { owner: ImportOwner }) {
  return (
    <Badge
      color={owner.included ? STATE_COLORS[owner.state] : 'gray'}
      variant="light"
      data-testid="owner-state"
      data-state={owner.included ? owner.state : 'excluded'}
    >
      {ownerStateLabel(owner)}
    </Badge>
  );
}

/** The owners of an import, read again whenever the import changes (the page sets its view). */
export function useOwners(importId: number, version: string) {
  return useQuery({
    queryKey: ['import-owners', importId, version],
    queryFn: () => getOwners(importId),
    placeholderData: (previous) => previous,
  });
}
