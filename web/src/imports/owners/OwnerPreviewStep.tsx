import { Alert, Button, Group, Loader, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { describeError } from '../../lib/api';
import { formatNumber, plural } from '../../lib/format';
import { listRows } from '../api';
import { ReviewStep } from '../steps/ReviewStep';
import type { Import } from '../types';
import { commitOwners, skipOwners } from './api';
import classes from './owners.module.css';
import { OwnerStateBadge, useOwners } from './shared';
import type { GroupedBy, ImportOwner } from './types';
import { isOpen, title } from './types';

const RESULT_PARTS = [
  ['created', 'created'],
  ['updated', 'updated'],
  ['unchanged', 'unchanged'],
  ['skipped', 'skipped'],
  ['failed', 'failed'],
] as const;

/** "2 created · 1 updated · 0 unchanged · 0 skipped · 1 failed". */
export function describeResult(owner: ImportOwner): string {
  const r = owner.result;
  if (!r) return '';
  return RESULT_PARTS.map(([key, word]) => `${formatNumber(r[key])} ${word}`).join(' · ');
}

/** The rows of an owner that were not imported (invalid, or refused when written), with why. */
function FailedRows({ view, owner }: { view: Import; owner: ImportOwner }) {
  const rows = useQuery({
    queryKey: ['import-rows', view.id, 'failed', owner.userId, view.updatedAt],
    queryFn: () => listRows(view.id, { filter: 'all', limit: 1000, owner: owner.userId }),
  });
  const failed = (rows.data?.items ?? []).filter((r) => !r.valid || r.result === 'failed');
  if (rows.isError) return <Text c="red">{describeError(rows.error)}</Text>;
  if (failed.length === 0) return null;
  return (
    <Table verticalSpacing={4} aria-label={`Rows of ${owner.name} that were not imported`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={70}>Row</Table.Th>
          <Table.Th>Why it was not imported</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {failed.slice(0, 20).map((r) => (
          <Table.Tr key={r.row} data-testid="failed-row">
            <Table.Td>{r.row}</Table.Td>
            <Table.Td>
              {r.resultMessage ??
                r.problems
                  .filter((p) => p.severity === 'error')
                  .map((p) => p.message)
                  .join(' ')}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** What the last commit did for one owner, shown above the next owner's preview. */
export function OwnerResult({ view, owner, noun }: { view: Import; owner: ImportOwner; noun: string }) {
  const failed = owner.state === 'failed' || (owner.result?.failed ?? 0) > 0;
  return (
    <Alert
      color={failed ? 'orange' : 'green'}
      title={
        <Group gap="xs">
          <span>{owner.name}</span>
          <OwnerStateBadge owner={owner} />
        </Group>
      }
      data-testid="owner-result"
    >
      <Stack gap="xs">
        <Text size="sm" data-testid="owner-result-counts">
          {owner.result ? describeResult(owner) : `The commit wrote nothing for this ${noun}.`}
        </Text>
        {(owner.result?.failed ?? 0) > 0 && <FailedRows view={view} owner={owner} />}
      </Stack>
    </Alert>
  );
}

/**
 * The preview of one owner's rows (the review, with its fixes) and the four ways on: import this
 * owner, skip them, back to the selection, or import every remaining owner in one job.
 */
export function OwnerPreviewStep({
  view,
  groupedBy,
  canRun,
  ownerId,
  lastId,
  onShown,
  onBack,
  onCommitted,
  onSkipped,
}: {
  view: Import;
  groupedBy: GroupedBy;
  canRun: boolean;
  /** The owner asked for in the address; the next open owner when it is not open (any more). */
  ownerId: number | null;
  /** The owner committed just before, whose result shows above. */
  lastId: number | null;
  /** The owner shown differs from the address's: the page puts it there (a reload shows it again). */
  onShown: (owner: number) => void;
  onBack: () => void;
  /** A commit job started for `owner` (null: every remaining owner). */
  onCommitted: (owner: number | null) => void;
  onSkipped: () => void;
}) {
  const queryClient = useQueryClient();
  const noun = groupedBy.noun;
  const [confirmingAll, all] = useDisclosure(false);
  const owners = useOwners(view.id, view.updatedAt);
  const applied = (next: Import) => {
    queryClient.setQueryData(['import', view.id], next);
    queryClient.invalidateQueries({ queryKey: ['import-owners', view.id] });
    queryClient.invalidateQueries({ queryKey: ['imports'] });
  };
  const commitOne = useMutation({
    mutationFn: (owner: number) => commitOwners(view.id, [owner]),
    onSuccess: (next, owner) => {
      applied(next);
      onCommitted(owner);
    },
  });
  const commitAll = useMutation({
    mutationFn: () => commitOwners(view.id),
    onSuccess: (next) => {
      applied(next);
      all.close();
      onCommitted(null);
    },
  });
  const skip = useMutation({
    mutationFn: (owner: number) => skipOwners(view.id, [owner]),
    onSuccess: (next) => {
      applied(next);
      onSkipped();
    },
  });

  const list = owners.data?.owners ?? [];
  const open = list.filter(isOpen);
  const owner = open.find((o) => o.userId === ownerId) ?? open[0];
  const shownId = owner?.userId;
  const stale = owners.isPlaceholderData;
  useEffect(() => {
    // Not from the list as it was before a change (a skipped owner would flash back).
    if (!stale && shownId !== undefined && shownId !== ownerId) onShown(shownId);
  }, [stale, shownId, ownerId, onShown]);

  if (owners.isError)
    return (
      <Alert color="red" title={`Could not load the ${noun}s of this import`} role="alert">
        {describeError(owners.error)}
      </Alert>
    );
  if (!owners.data) return <Loader />;

  const included = list.filter((o) => o.included);
  const last = lastId === null ? undefined : list.find((o) => o.userId === lastId);
  const lastResult = last && last.state !== 'pending' && <OwnerResult view={view} owner={last} noun={noun} />;
  if (!owner)
    return (
      <Stack>
        {lastResult}
        <Alert color="gray" title={`No ${noun} left to preview`}>
          Every {noun} chosen for this import was imported or skipped.
        </Alert>
        <Group>
          <Button variant="default" onClick={onBack}>
            Back
          </Button>
        </Group>
      </Stack>
    );

  const position = included.findIndex((o) => o.userId === owner.userId) + 1;
  const blockedByErrors = view.options.atomic && owner.invalid > 0;
  const busy = commitOne.isPending || commitAll.isPending || skip.isPending;
  const error = commitOne.error ?? skip.error;
  const openRows = open.reduce((n, o) => n + o.valid, 0);

  const heading = (
    <div style={{ minWidth: 0 }}>
      <Title order={3} data-testid="owner-heading">
        {title(noun)} {formatNumber(position)} of {formatNumber(included.length)}: {owner.name}
      </Title>
      <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
        {owner.email}
        {owner.employeeNumber ? ` · employee number ${owner.employeeNumber}` : ''}
      </Text>
    </div>
  );

  const footer = (
    <Stack gap="sm">
      {error && (
        <Alert color="red" role="alert" title="That did not work">
          {describeError(error)}
        </Alert>
      )}
      {blockedByErrors && (
        <Alert color="yellow">
          "All or nothing" is on: fix this {noun}'s rows with errors, or skip this {noun}, to go on.
        </Alert>
      )}
      <Group justify="space-between" wrap="wrap" gap="sm" className={classes.footer}>
        <Button variant="default" onClick={onBack} disabled={busy}>
          Back
        </Button>
        {canRun && (
          <Group gap="sm" wrap="wrap" justify="flex-end" className={classes.actions}>
            <Button
              variant="default"
              onClick={() => skip.mutate(owner.userId)}
              loading={skip.isPending}
              disabled={busy}
            >
              Skip
            </Button>
            <Button variant="light" onClick={all.open} disabled={busy || openRows === 0}>
              Import all {noun}s
            </Button>
            <Button
              onClick={() => commitOne.mutate(owner.userId)}
              loading={commitOne.isPending}
              disabled={busy || owner.valid === 0 || blockedByErrors}
            >
              Import
            </Button>
          </Group>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        Import writes {plural(owner.valid, 'valid row')} of {owner.name} and then shows the next {noun}. Skip
        leaves {owner.name} out. Import all {noun}s writes the valid rows of the {plural(open.length, noun)}{' '}
        still to preview in one go.
      </Text>
    </Stack>
  );

  return (
    <Stack gap="md">
      {lastResult}
      <ReviewStep
        // A new owner starts on the first page with no filter.
        key={owner.userId}
        view={view}
        canRun={canRun}
        onBack={onBack}
        owner={{ userId: owner.userId, rows: owner.rows, valid: owner.valid, invalid: owner.invalid }}
        heading={heading}
        footer={footer}
      />
      <Modal opened={confirmingAll} onClose={all.close} title={`Import all ${noun}s?`} centered>
        <Stack gap="sm">
          <Text size="sm">
            This imports the {plural(openRows, 'valid row')} of the {plural(open.length, noun)} still to
            preview, without showing each {noun} first: {open.map((o) => o.name).join(', ')}.
          </Text>
          <Text size="sm" c="dimmed">
            Rows with errors are left out and listed in the failure file. Everything can be rolled back
            afterwards, per {noun} or for all.
          </Text>
          {commitAll.isError && (
            <Alert color="red" role="alert">
              {describeError(commitAll.error)}
            </Alert>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={all.close}>
              Cancel
            </Button>
            <Button onClick={() => commitAll.mutate()} loading={commitAll.isPending}>
              Import all {noun}s
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
