import { Alert, Button, Card, Group, Progress, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { describeError } from '../../lib/api';
import { formatNumber, plural } from '../../lib/format';
import { cancelImport, eventsUrl } from '../api';
import { formatDuration, STATUS_LABELS } from '../labels';
import { ownersProgressOf, title } from '../owners/types';
import type { Import } from '../types';

type ImportProgress = Import['progress'];
const RUNNING: readonly Import['status'][] = ['queued', 'committing', 'cancelling', 'rolling_back'];

/**
 * Follows an import's progress from the server's event stream; when it ends, the import is read
 * again (the page then shows the results). Opening the page again opens a new stream: a reload
 * resumes watching.
 */
export function useLiveProgress(view: Import): { progress: ImportProgress; status: Import['status'] } {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<{ progress: ImportProgress; status: Import['status'] } | null>(null);
  const id = view.id;
  useEffect(() => {
    const source = new EventSource(eventsUrl(id));
    source.addEventListener('progress', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as {
        status: Import['status'];
        progress: ImportProgress;
      };
      setLive({ progress: data.progress, status: data.status });
      // The page's status badge reads the import from the cache: it moves with the stream rather
      // than saying "Queued" above "Importing… 62,000 of 100,000".
      queryClient.setQueryData<Import>(['import', id], (old) =>
        old ? { ...old, status: data.status, progress: data.progress } : old,
      );
      // A job that ended before the stream first looked (a commit of a few first rows) ends it
      // without a `done` when the import waits partly committed: read the whole import then.
      if (!RUNNING.includes(data.status)) void queryClient.invalidateQueries({ queryKey: ['import', id] });
    });
    source.addEventListener('done', () => {
      source.close();
      queryClient.invalidateQueries({ queryKey: ['import', id] });
      queryClient.invalidateQueries({ queryKey: ['imports'] });
    });
    // A dropped stream is not retried here: the page reads the import every few seconds meanwhile.
    source.onerror = () => source.close();
    return () => source.close();
  }, [id, queryClient]);
  return live ?? { progress: view.progress, status: view.status };
}

/**
 * Step 7: the commit runs in the background; its progress, rate and time left, and a way to stop it.
 * An import of many owners' rows also shows which owner it is at (`noun`: what an owner is called).
 */
export function CommitStep({ view, canRun, noun }: { view: Import; canRun: boolean; noun?: string }) {
  const queryClient = useQueryClient();
  const { progress, status } = useLiveProgress(view);
  const cancel = useMutation({
    mutationFn: () => cancelImport(view.id),
    onSuccess: (next) => queryClient.setQueryData(['import', view.id], next),
  });
  const percent = progress.total > 0 ? (progress.done / progress.total) * 100 : 0;
  const owners = noun ? ownersProgressOf(progress) : null;

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={3}>{status === 'cancelling' ? 'Stopping the import…' : 'Importing…'}</Title>
        <Text size="sm">
          You can leave this page: the import goes on in the background, and the bell tells you when it ends.
        </Text>
        {owners && noun && owners.total > 0 && (
          // By owner first (which one is in hand), then by row below.
          <Stack gap={6} data-testid="commit-owners" mb="sm">
            <Progress
              value={(owners.done / owners.total) * 100}
              size="md"
              color="teal"
              aria-label={`${title(noun)}s imported`}
            />
            <Group justify="space-between" wrap="wrap" gap="xs" aria-live="polite">
              <Text fw={600}>
                {owners.current
                  ? `${title(noun)} ${formatNumber(Math.min(owners.done + 1, owners.total))} of ${formatNumber(owners.total)}: ${owners.current.name}`
                  : `${formatNumber(owners.done)} of ${plural(owners.total, noun)} done`}
              </Text>
              <Text size="sm" c="dimmed">
                {plural(owners.done, noun)} done
              </Text>
            </Group>
          </Stack>
        )}
        <Progress
          value={percent}
          size="xl"
          animated={status !== 'queued'}
          aria-label="Rows imported"
          data-testid="commit-progress"
        />
        <Group justify="space-between" wrap="wrap" gap="xs" aria-live="polite">
          <Text fw={600} data-testid="commit-done">
            {formatNumber(progress.done)} of {formatNumber(progress.total)} rows
          </Text>
          <Text size="sm" c="dimmed" data-testid="commit-rate">
            {STATUS_LABELS[status]}
            {progress.ratePerSecond !== null &&
              ` · ${formatNumber(Math.round(progress.ratePerSecond))} rows/s`}
            {progress.etaSeconds !== null && ` · about ${formatDuration(progress.etaSeconds)} left`}
          </Text>
        </Group>
        {cancel.isError && (
          <Alert color="red" role="alert">
            {describeError(cancel.error)}
          </Alert>
        )}
        {canRun && (
          <Group justify="flex-end">
            <Button
              color="red"
              variant="light"
              onClick={() => cancel.mutate()}
              loading={cancel.isPending}
              disabled={status === 'cancelling'}
            >
              Cancel import
            </Button>
          </Group>
        )}
        <Text size="xs" c="dimmed">
          Cancelling stops between batches: what was written stays and can be rolled back.
        </Text>
      </Stack>
    </Card>
  );
}
