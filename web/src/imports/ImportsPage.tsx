import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useCan } from '../auth/session';
import { describeError } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { listImports, listTargets } from './api';
import { STATUS_COLORS, STATUS_LABELS } from './labels';
import type { Import } from './types';

/** "3 created · 1 failed" after a commit, the row verdicts before. */
function countsText(i: Import): string {
  const parts = Object.entries(i.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${formatNumber(n)} ${k}`);
  if (parts.length > 0) return parts.join(' · ');
  return `${formatNumber(i.rows.total)} rows · ${formatNumber(i.rows.invalid)} with errors`;
}

/** Every import, newest first, paged on the server (by cursor: older / newer). */
export function ImportsPage() {
  const can = useCan();
  // The cursors of the pages before this one: "Newer" goes back one.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const imports = useQuery({
    queryKey: ['imports', before ?? null],
    queryFn: () => listImports(before),
    placeholderData: keepPreviousData,
  });
  const targets = useQuery({ queryKey: ['import-targets'], queryFn: listTargets, staleTime: 60_000 });
  const targetLabel = (name: string) => targets.data?.find((t) => t.name === name)?.label ?? name;
  const next = imports.data?.nextCursor;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Import history</Title>
          <Text size="sm" c="dimmed">
            Every import with its file, options and results. Open one to review, follow or roll it back.
          </Text>
        </div>
        <Group gap="sm">
          {imports.isFetching && <Loader size="sm" />}
          {can('imports.run') && (
            <Button component={Link} href="/imports/new">
              New import
            </Button>
          )}
        </Group>
      </Group>
      {imports.isError && (
        <Alert color="red" title="Could not load the imports" role="alert">
          {describeError(imports.error)}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={860}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="imports-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th miw={150}>Status</Table.Th>
              <Table.Th miw={160}>File</Table.Th>
              <Table.Th>Target</Table.Th>
              <Table.Th>Counts</Table.Th>
              <Table.Th>By</Table.Th>
              <Table.Th>When</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(imports.data?.items ?? []).map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>{i.id}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLORS[i.status]} variant="light">
                    {STATUS_LABELS[i.status]}
                  </Badge>
                </Table.Td>
                <Table.Td maw={280} style={{ overflowWrap: 'anywhere' }}>
                  <Anchor component={Link} href={`/imports/${i.id}`}>
                    {i.file.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{targetLabel(i.target)}</Table.Td>
                <Table.Td>{countsText(i)}</Table.Td>
                <Table.Td>{i.createdBy}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(i.createdAt)}</Table.Td>
              </Table.Tr>
            ))}
            {imports.isSuccess && imports.data.items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text c="dimmed" ta="center" py="md">
                    No import yet.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {(cursors.length > 1 || next) && (
        <Group gap="sm">
          <Button
            variant="default"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            variant="default"
            disabled={!next}
            onClick={() => next && setCursors((c) => [...c, Number(next)])}
          >
            Older
          </Button>
        </Group>
      )}
    </Stack>
  );
}
