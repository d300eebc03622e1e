import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  List,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { describeError } from '../../lib/api';
import { formatDateTime, formatNumber, plural } from '../../lib/format';
import { usePhone } from '../../lib/responsive';
import { saveConfigOf } from '../api';
import { COUNTS, Downloads, ResultCounts } from '../steps/ResultsStep';
import type { Import } from '../types';
import { rollbackOwners } from './api';
import { OwnerStateBadge, useOwners } from './shared';
import { type GroupedBy, type ImportOwner, title } from './types';

/** What a rollback job reports; its conflicts as a count or a list, whichever the view carries. */
interface RollbackSummary {
  deleted: number;
  restored: number;
  conflictCount: number;
  conflicts: { entityType: string; entityId: number; label: string | null; reason: string }[];
  finishedAt: string | null;
  /** The owners the rollback covered; null: everybody. */
  owners: number[] | null;
}

function readRollback(raw: Import['rollback']): RollbackSummary | null {
  if (!raw || typeof raw.deleted !== 'number' || typeof raw.restored !== 'number') return null;
  const list = Array.isArray(raw.conflicts) ? (raw.conflicts as RollbackSummary['conflicts']) : [];
  const count =
    typeof raw.conflictCount === 'number'
      ? raw.conflictCount
      : typeof raw.conflicts === 'number'
        ? raw.conflicts
        : list.length;
  return {
    deleted: raw.deleted,
    restored: raw.restored,
    conflictCount: count,
    conflicts: list,
    finishedAt: typeof raw.finishedAt === 'string' ? raw.finishedAt : null,
    owners: Array.isArray(raw.owners) ? (raw.owners as number[]) : null,
  };
}

const written = (o: ImportOwner) => (o.result ? o.result.created + o.result.updated : 0);
/** An owner whose records this import wrote and still holds: what a rollback of them would undo. */
const canUndo = (o: ImportOwner) => (o.state === 'imported' || o.state === 'failed') && written(o) > 0;
const ROLLBACK_FROM = ['completed', 'cancelled', 'failed'];

/** What a rollback will do, in one sentence: only the parts that apply. */
function describeUndo(created: number, updated: number, who: string | null): string {
  const forWhom = who ? ` for ${who}` : '';
  const parts = [
    ...(created > 0 ? [`deletes the ${plural(created, 'record')} this import created${forWhom}`] : []),
    ...(updated > 0
      ? [
          `restores the ${plural(updated, 'record')} it updated${created > 0 ? '' : forWhom} to how they were before it`,
        ]
      : []),
  ];
  return parts.length > 0 ? `This ${parts.join(' and ')}.` : `This import wrote no record${forWhom} to undo.`;
}

function ResultCells({ owner }: { owner: ImportOwner }) {
  return (
    <>
      {COUNTS.map((c) => (
        <Table.Td key={c.key} ta="right">
          {owner.result ? formatNumber(owner.result[c.key]) : '—'}
        </Table.Td>
      ))}
    </>
  );
}

/** Save the mapping and options as a named configuration, to reuse for the next file. */
function SaveConfig({ view }: { view: Import }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const save = useMutation({
    mutationFn: () => saveConfigOf(view.id, name.trim()),
    onSuccess: () => {
      setName('');
      queryClient.invalidateQueries({ queryKey: ['import-configs'] });
    },
  });
  return (
    <Stack gap={6}>
      <Group gap="sm" align="flex-end" wrap="wrap">
        <TextInput
          label="Save this import's configuration"
          description="The mapping and options, to reuse for the next file"
          placeholder="Name, e.g. Monthly customers"
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          w={320}
          maw="100%"
        />
        <Button
          variant="default"
          onClick={() => save.mutate()}
          loading={save.isPending}
          disabled={!name.trim()}
        >
          Save configuration
        </Button>
      </Group>
      {save.data && (
        <Text size="sm" role="status">
          Saved as "{save.data.name}".{' '}
          <Anchor href={`/api/v1/import-configs/${save.data.id}`} download={`${save.data.name}.json`}>
            Download it as JSON
          </Anchor>
        </Text>
      )}
      {save.isError && (
        <Alert color="red" role="alert">
          {describeError(save.error)}
        </Alert>
      )}
    </Stack>
  );
}

/**
 * After the last owner: what happened to each (imported with counts, skipped, excluded, failed,
 * rolled back), the totals, the result files, the configuration to save, and the rollback, for one
 * owner or for all.
 */
export function SummaryStep({
  view,
  groupedBy,
  canRun,
}: {
  view: Import;
  groupedBy: GroupedBy;
  canRun: boolean;
}) {
  const queryClient = useQueryClient();
  const phone = usePhone();
  const noun = groupedBy.noun;
  const owners = useOwners(view.id, `${view.updatedAt}:${view.status}`);
  // Whom the confirmation asks about: one owner, everybody ('all'), or nobody (closed).
  const [asking, setAsking] = useState<ImportOwner | 'all' | null>(null);
  const rollback = useMutation({
    mutationFn: (who: ImportOwner | 'all') =>
      rollbackOwners(view.id, who === 'all' ? undefined : [who.userId]),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['import-owners', view.id] });
      queryClient.invalidateQueries({ queryKey: ['imports'] });
      setAsking(null);
    },
  });

  const list = owners.data?.owners ?? [];
  const report = readRollback(view.rollback);
  const mayRollBack = canRun && ROLLBACK_FROM.includes(view.status);
  const undoable = list.filter(canUndo);
  const created = undoable.reduce((n, o) => n + (o.result?.created ?? 0), 0);
  const updated = undoable.reduce((n, o) => n + (o.result?.updated ?? 0), 0);
  const asked = asking === 'all' ? null : asking;
  const askedCreated = asking === 'all' ? created : (asked?.result?.created ?? 0);
  const askedUpdated = asking === 'all' ? updated : (asked?.result?.updated ?? 0);

  const names = (userIds: number[]) =>
    userIds.map((userId) => list.find((o) => o.userId === userId)?.name ?? `#${userId}`).join(', ');
  const rollbackButton = (o: ImportOwner) =>
    mayRollBack && canUndo(o) ? (
      <Button
        size="xs"
        color="red"
        variant="subtle"
        onClick={() => setAsking(o)}
        aria-label={`Roll back ${o.name}`}
      >
        Roll back…
      </Button>
    ) : null;

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={3}>Summary</Title>
        {view.status === 'failed' && view.error && (
          <Alert color="red" title="The import stopped with an error" role="alert">
            {view.error.message} What was written before it stopped can be rolled back.
          </Alert>
        )}
        {view.status === 'cancelled' && (
          <Alert color="gray" title="The import was cancelled">
            What was written before it stopped is counted below and can be rolled back.
          </Alert>
        )}
        <ResultCounts counts={view.counts} />
        {owners.isError && <Text c="red">{describeError(owners.error)}</Text>}
        <Title order={4}>By {noun}</Title>
        {phone ? (
          <Stack gap="xs" data-testid="summary-owners">
            {list.map((o) => (
              <Paper
                key={o.userId}
                withBorder
                p="sm"
                radius="md"
                data-testid="owner-row"
                data-owner={o.userId}
              >
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <div style={{ minWidth: 0 }}>
                    <Text fw={600}>{o.name}</Text>
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {o.email}
                    </Text>
                  </div>
                  <OwnerStateBadge owner={o} />
                </Group>
                {o.result && (
                  <Text size="sm" mt={6}>
                    {COUNTS.map(
                      (c) => `${formatNumber(o.result?.[c.key] ?? 0)} ${c.label.toLowerCase()}`,
                    ).join(' · ')}
                  </Text>
                )}
                {rollbackButton(o)}
              </Paper>
            ))}
          </Stack>
        ) : (
          <Table.ScrollContainer minWidth={820}>
            <Table
              striped
              verticalSpacing="xs"
              data-testid="summary-owners"
              aria-label={`What happened, by ${noun}`}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{title(noun)}</Table.Th>
                  <Table.Th>What happened</Table.Th>
                  {COUNTS.map((c) => (
                    <Table.Th key={c.key} ta="right">
                      {c.label}
                    </Table.Th>
                  ))}
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((o) => (
                  <Table.Tr key={o.userId} data-testid="owner-row" data-owner={o.userId}>
                    <Table.Td>
                      <Text fw={500} size="sm">
                        {o.name}
                      </Text>
                      <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                        {o.email}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <OwnerStateBadge owner={o} />
                    </Table.Td>
                    <ResultCells owner={o} />
                    <Table.Td>{rollbackButton(o)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {(owners.data?.unmatchedRows ?? 0) > 0 && (
          <Text size="sm" c="dimmed">
            {plural(owners.data?.unmatchedRows ?? 0, 'row')} named no {noun} and{' '}
            {(owners.data?.unmatchedRows ?? 0) === 1 ? 'was' : 'were'} not imported.
          </Text>
        )}
        {view.startedAt && (
          <Text size="sm" c="dimmed">
            Started {formatDateTime(view.startedAt)} · finished {formatDateTime(view.finishedAt)}
          </Text>
        )}
        <Stack gap="xs">
          <Downloads view={view} kind="success" label="Success file" />
          <Downloads view={view} kind="failure" label="Failure file" />
          <Text size="xs" c="dimmed">
            Both files say whose row each one is (the owner column). The failure file has your columns plus
            the reason of each failed row: fix it and upload it again as it is.
          </Text>
        </Stack>
        {canRun && <SaveConfig view={view} />}
        <Group gap="sm">
          <Button component={Link} href="/records" variant="default">
            Show the records
          </Button>
          {mayRollBack && undoable.length > 0 && (
            <Button color="red" variant="light" onClick={() => setAsking('all')}>
              Roll back all {noun}s…
            </Button>
          )}
        </Group>
        {view.status === 'rolling_back' && (
          <Alert color="grape" title="Rolling back…" aria-live="polite">
            Records are being deleted and restored; this page updates when it is done.
          </Alert>
        )}
        {report && view.status !== 'rolling_back' && (
          <Alert
            color="grape"
            title={report.owners ? `Rolled back for ${names(report.owners)}` : `Rolled back for all ${noun}s`}
            data-testid="rollback-result"
          >
            <Stack gap={4}>
              <Text size="sm">
                {plural(report.deleted, 'record')} deleted, {plural(report.restored, 'record')} restored to
                how they were before the import
                {report.finishedAt ? ` (${formatDateTime(report.finishedAt)})` : ''}.
              </Text>
              {report.conflictCount > 0 ? (
                <>
                  <Text size="sm">
                    {plural(report.conflictCount, 'record')} changed since the import and{' '}
                    {report.conflictCount === 1 ? 'was' : 'were'} left as{' '}
                    {report.conflictCount === 1 ? 'it is' : 'they are'}
                    {report.conflicts.length > 0 ? ':' : '.'}
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
                <Text size="sm">No record had changed since the import.</Text>
              )}
            </Stack>
          </Alert>
        )}
        <Modal
          opened={asking !== null}
          onClose={() => setAsking(null)}
          title={asking === 'all' ? `Roll back all ${noun}s?` : `Roll back ${asked?.name ?? ''}?`}
          centered
        >
          <Stack gap="sm">
            <Text size="sm" data-testid="rollback-what">
              {describeUndo(askedCreated, askedUpdated, asked?.name ?? null)}
              {asked ? ` Other ${noun}s' records are not touched.` : ''}
            </Text>
            <Text size="sm">
              Records changed since the import (in the console, through the API or by a later import) stay as
              they are and are listed in the result.
            </Text>
            {rollback.isError && (
              <Alert color="red" role="alert">
                {describeError(rollback.error)}
              </Alert>
            )}
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={() => setAsking(null)}>
                Keep the import
              </Button>
              <Button
                color="red"
                onClick={() => asking && rollback.mutate(asking)}
                loading={rollback.isPending}
              >
                Roll back
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Stack>
    </Card>
  );
}
