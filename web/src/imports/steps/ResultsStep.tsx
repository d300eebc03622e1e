import {
  Alert,
  Button,
  Card,
  Group,
  List,
  Modal,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'wouter';
import { describeError } from '../../lib/api';
import { formatDateTime, formatNumber, plural } from '../../lib/format';
import { commitImport, fileUrl, rollbackImport } from '../api';
import type { Import, RollbackReport } from '../types';
import { useLiveProgress } from './CommitStep';

export const COUNTS = [
  { key: 'created', label: 'Created', color: 'green' },
  { key: 'updated', label: 'Updated', color: 'blue' },
  { key: 'unchanged', label: 'Unchanged', color: 'gray' },
  { key: 'skipped', label: 'Skipped', color: 'yellow' },
  { key: 'failed', label: 'Failed', color: 'red' },
] as const;

/** Results of rows that changed a user's lifecycle (an Action column): shown only when some did. */
const LIFECYCLE_COUNTS = [
  { key: 'deleted', label: 'Deleted', color: 'red' },
  { key: 'disabled', label: 'Disabled', color: 'orange' },
  { key: 'enabled', label: 'Enabled', color: 'teal' },
] as const;

/** What a commit did, one tile per result (Created, Updated, …), coloured when not zero. */
export function ResultCounts({ counts }: { counts: Import['counts'] }) {
  const shown = [...COUNTS, ...LIFECYCLE_COUNTS.filter((c) => (counts[c.key] ?? 0) > 0)];
  return (
    <SimpleGrid
      cols={{ base: 2, xs: 3, md: shown.length > 5 ? 4 : 5 }}
      spacing="sm"
      data-testid="result-counts"
    >
      {shown.map((c) => (
        <Paper key={c.key} withBorder p="sm" radius="md" data-count={c.key}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
            {c.label}
          </Text>
          <Text size="xl" fw={700} c={(counts[c.key] ?? 0) > 0 ? c.color : undefined}>
            {formatNumber(counts[c.key] ?? 0)}
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}

/** The rollback report as the job stores it; anything else reads as not rolled back. */
export function rollbackReport(raw: Import['rollback']): RollbackReport | null {
  if (!raw || typeof raw.deleted !== 'number' || typeof raw.restored !== 'number') return null;
  return raw as unknown as RollbackReport;
}

export function Downloads({
  view,
  kind,
  label,
}: {
  view: Import;
  kind: 'success' | 'failure';
  label: string;
}) {
  return (
    <Group gap="xs" wrap="wrap">
      <Text size="sm" w={110}>
        {label}
      </Text>
      {(['csv', 'xlsx'] as const).map((format) => (
        <Button
          key={format}
          component="a"
          href={fileUrl(view.id, kind, format)}
          download
          variant="light"
          size="xs"
          aria-label={`Download the ${kind} file as ${format.toUpperCase()}`}
        >
          {format.toUpperCase()}
        </Button>
      ))}
    </Group>
  );
}

/**
 * What the rollback leaves as it is, as the server counted it when the page read the import: users
 * activated or changed (or deleted) since the import stay as they are now.
 */
function RollbackImpact({ view }: { view: Import }) {
  const impact = view.rollbackImpact;
  if (!impact) {
    return <Text size="sm">Users changed since the import are left alone and listed in the result.</Text>;
  }
  const { changedSince, activatedSince } = impact;
  if (changedSince === 0) {
    return (
      <Text size="sm" data-testid="rollback-impact">
        No user has been activated or changed since the import: everything it wrote is undone.
      </Text>
    );
  }
  const otherwise = changedSince - activatedSince;
  const parts = [
    ...(activatedSince > 0
      ? [
          `${plural(activatedSince, 'user')} activated ${activatedSince === 1 ? 'their account' : 'their accounts'}`,
        ]
      : []),
    ...(otherwise > 0
      ? [`${plural(otherwise, 'user')} ${otherwise === 1 ? 'was' : 'were'} changed or deleted`]
      : []),
  ];
  return (
    <Alert color="yellow" title="Some users stay as they are" data-testid="rollback-impact">
      Since the import, {parts.join(' and ')}. The rollback leaves{' '}
      {changedSince === 1 ? 'that user' : 'those'} as {changedSince === 1 ? 'it is' : 'they are'} now and
      lists {changedSince === 1 ? 'it' : 'them'} in the result.
    </Alert>
  );
}

/** The rollback running: users dealt with of all, live from the server's event stream. */
function RollbackProgress({ view }: { view: Import }) {
  const { progress } = useLiveProgress(view);
  const percent = progress.total > 0 ? (progress.done / progress.total) * 100 : 0;
  return (
    <Alert color="grape" title="Rolling back…">
      <Stack gap="xs">
        <Text size="sm">Users are being deleted and restored; this page updates when it is done.</Text>
        <Progress
          value={percent}
          size="lg"
          animated
          aria-label="Users rolled back"
          data-testid="rollback-progress"
        />
        <Text size="sm" fw={600} aria-live="polite" data-testid="rollback-done">
          {formatNumber(progress.done)} of {formatNumber(progress.total)} users
        </Text>
      </Stack>
    </Alert>
  );
}

/** Step 8: what the import did, its files, its users, and the undo. */
export function ResultsStep({ view, canRun }: { view: Import; canRun: boolean }) {
  const queryClient = useQueryClient();
  const [confirming, { open, close }] = useDisclosure(false);
  const rollback = useMutation({
    mutationFn: () => rollbackImport(view.id),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['imports'] });
      close();
    },
  });
  // The first rows committed (`firstRows`), the others waiting: the admin looks, then goes on or rolls back.
  const partly = view.status === 'partly_committed' && view.owners === null;
  const rest = useMutation({
    // The admin confirmed this import's deletes before its first rows were committed.
    mutationFn: () =>
      commitImport(view.id, (view.planned.delete ?? 0) > 0 ? { confirmDeletes: view.planned.delete } : {}),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['imports'] });
    },
  });
  const report = rollbackReport(view.rollback);
  const created = view.counts.created ?? 0;
  // Disabling and enabling are updates of the status: the rollback restores them the same way.
  const updated = (view.counts.updated ?? 0) + (view.counts.disabled ?? 0) + (view.counts.enabled ?? 0);
  const deleted = view.counts.deleted ?? 0;
  const canRollBack =
    canRun && (['completed', 'cancelled', 'failed'].includes(view.status) || partly) && created + updated > 0;
  const written = created + updated + (view.counts.unchanged ?? 0);
  const left = view.rows.valid - written - Math.max(0, (view.counts.failed ?? 0) - view.rows.invalid);

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={3}>Results</Title>
        {view.status === 'failed' && view.error && (
          <Alert color="red" title="The import stopped with an error" role="alert">
            {view.error.message} What was written before it stopped can be rolled back.
          </Alert>
        )}
        {view.status === 'cancelled' && (
          <Alert color="gray" title="The import was cancelled">
            {view.counts.created !== undefined
              ? 'Rows written before it stopped are counted below and can be rolled back.'
              : 'It was cancelled before any row was written.'}
          </Alert>
        )}
        {partly && (
          <Alert color="teal" title="The first rows are committed" data-testid="partly-committed">
            <Stack gap="xs">
              <Text size="sm">
                Look at the users they created or changed below. Then commit the remaining rows with the same
                import, or roll back what was committed.
              </Text>
              {rest.isError && (
                <Text size="sm" c="red" role="alert">
                  {describeError(rest.error)}
                </Text>
              )}
              {canRun && (
                <Group>
                  <Button onClick={() => rest.mutate()} loading={rest.isPending}>
                    Commit the remaining {left > 0 ? plural(left, 'row') : 'rows'}
                  </Button>
                </Group>
              )}
            </Stack>
          </Alert>
        )}
        <ResultCounts counts={view.counts} />
        <Text size="sm" c="dimmed">
          Started {formatDateTime(view.startedAt)}
          {view.finishedAt !== null && ` · finished ${formatDateTime(view.finishedAt)}`}
        </Text>
        <Stack gap="xs">
          <Downloads view={view} kind="success" label="Success file" />
          <Downloads view={view} kind="failure" label="Failure file" />
          <Text size="xs" c="dimmed">
            The failure file has your columns plus the reason of each failed row: fix it and upload it again
            as it is.
          </Text>
        </Stack>
        <Group gap="sm">
          <Button component={Link} href={`/users?importId=${view.id}`} variant="default">
            Show the users of this import
          </Button>
          {canRollBack && (
            <Button
              color="red"
              variant="light"
              onClick={() => {
                // Read again: what changed since the import may have changed since the page opened.
                void queryClient.invalidateQueries({ queryKey: ['import', view.id] });
                open();
              }}
            >
              Roll back…
            </Button>
          )}
        </Group>
        {view.status === 'rolling_back' && <RollbackProgress view={view} />}
        {report && (
          <Alert color="grape" title="Rolled back" data-testid="rollback-result">
            <Stack gap={4}>
              <Text size="sm">
                {plural(report.deleted, 'user')} deleted, {plural(report.restored, 'user')} restored to how
                they were before the import ({formatDateTime(report.finishedAt)}).
              </Text>
              {report.conflictCount > 0 ? (
                <>
                  <Text size="sm">
                    {plural(report.conflictCount, 'user')} changed since the import and{' '}
                    {report.conflictCount === 1 ? 'was' : 'were'} left as they are:
                  </Text>
                  <List size="sm">
                    {report.conflicts.slice(0, 20).map((c) => (
                      <List.Item key={`${c.entityType}:${c.entityId}`}>
                        {c.label ?? `${c.entityType} #${c.entityId}`}: {c.reason}
                      </List.Item>
                    ))}
                  </List>
                </>
              ) : (
                <Text size="sm">No user had changed since the import.</Text>
              )}
            </Stack>
          </Alert>
        )}
        <Modal opened={confirming} onClose={close} title="Roll back this import?" centered>
          <Stack gap="sm">
            <Text size="sm">
              {created > 0 && `This deletes the ${plural(created, 'user')} this import created`}
              {created > 0 && updated > 0 && ' and restores'}
              {created === 0 && updated > 0 && 'This restores'}
              {updated > 0 && ` the ${plural(updated, 'user')} it updated to how they were before it`}
              {created + updated > 0 && '.'}
              {deleted > 0 &&
                ` It brings back the ${plural(deleted, 'user')} it deleted, with the same ids, roles, groups and attributes.`}
            </Text>
            <RollbackImpact view={view} />
            <Text size="sm">Emails already sent cannot be recalled.</Text>
            {rollback.isError && (
              <Alert color="red" role="alert">
                {describeError(rollback.error)}
              </Alert>
            )}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={close}>
                Keep the import
              </Button>
              <Button color="red" onClick={() => rollback.mutate()} loading={rollback.isPending}>
                Roll back
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Stack>
    </Card>
  );
}
