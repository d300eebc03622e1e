import {
  Alert,
  Button,
  Card,
  Group,
  List,
  Modal,
  Paper,
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
import { fileUrl, rollbackImport } from '../api';
import type { Import, RollbackReport } from '../types';

export const COUNTS = [
  { key: 'created', label: 'Created', color: 'green' },
  { key: 'updated', label: 'Updated', color: 'blue' },
  { key: 'unchanged', label: 'Unchanged', color: 'gray' },
  { key: 'skipped', label: 'Skipped', color: 'yellow' },
  { key: 'failed', label: 'Failed', color: 'red' },
] as const;

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
  const report = rollbackReport(view.rollback);
  const created = view.counts.created ?? 0;
  const updated = view.counts.updated ?? 0;
  const canRollBack =
    canRun && ['completed', 'cancelled', 'failed'].includes(view.status) && created + updated > 0;

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
        <SimpleGrid cols={{ base: 2, xs: 3, md: 5 }} spacing="sm" data-testid="result-counts">
          {COUNTS.map((c) => (
            <Paper key={c.key} withBorder p="sm" radius="md" data-count={c.key}>
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                {c.label}
              </Text>
              <Text size="xl" fw={700} c={(view.counts[c.key] ?? 0) > 0 ? c.color : undefined}>
                {formatNumber(view.counts[c.key] ?? 0)}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
        <Text size="sm" c="dimmed">
          Started {formatDateTime(view.startedAt)} · finished {formatDateTime(view.finishedAt)}
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
            <Button color="red" variant="light" onClick={open}>
              Roll back…
            </Button>
          )}
        </Group>
        {view.status === 'rolling_back' && (
          <Alert color="grape" title="Rolling back…" aria-live="polite">
            Users are being deleted and restored; this page updates when it is done.
          </Alert>
        )}
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
              This deletes the {plural(created, 'user')} this import created and restores the{' '}
              {plural(updated, 'user')} it updated to how they were before it.
            </Text>
            <Text size="sm">
              Users changed since the import are left alone and listed in the result. Emails already sent
              cannot be recalled.
            </Text>
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
