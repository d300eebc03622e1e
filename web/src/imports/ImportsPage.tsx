import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { useCan } from '../auth/session';
import { describeError } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { useQueryParams, useSearchBox } from '../lib/url-params';
import { type ImportFilters, listImports, listTargets } from './api';
import { STATUS_COLORS, STATUS_LABELS } from './labels';
import type { Import, ImportStatus } from './types';

/** The statuses a history is filtered by: those an import can be seen in (not while being read). */
const FILTER_STATUSES = (Object.keys(STATUS_LABELS) as ImportStatus[]).filter((s) => s !== 'staging');
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** "3 created · 1 failed" after a commit, the row verdicts before. */
function countsText(i: Import): string {
  const parts = Object.entries(i.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${formatNumber(n)} ${k}`);
  if (parts.length > 0) return parts.join(' · ');
  return `${formatNumber(i.rows.total)} rows · ${formatNumber(i.rows.invalid)} with errors`;
}

/**
 * Every import, newest first, paged on the server (by cursor: older / newer) and narrowed there by
 * status, target, who started it, a date range and part of the file's name. The filters live in
 * the address, so a reload or a shared link shows the same list.
 */
export function ImportsPage() {
  const can = useCan();
  const [params, update] = useQueryParams();
  const search = useSearchBox('q', params, update);
  const pick = (name: keyof ImportFilters, valid: (v: string) => boolean = () => true) => {
    const v = params.get(name);
    return v && valid(v) ? v : undefined;
  };
  const filters: ImportFilters = {
    status: pick('status', (v) => (FILTER_STATUSES as string[]).includes(v)),
    target: pick('target'),
    createdBy: pick('createdBy'),
    from: pick('from', (v) => DAY.test(v)),
    to: pick('to', (v) => DAY.test(v)),
    q: pick('q', (v) => v.trim() !== ''),
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const rangeBackwards = filters.from !== undefined && filters.to !== undefined && filters.from > filters.to;
  const filterKey = JSON.stringify(filters);
  // The cursors of the pages before this one ("Newer" goes back one), for the filters they were
  // made under: other filters start again at the newest.
  const [paging, setPaging] = useState<{ key: string; cursors: (number | undefined)[] }>({
    key: filterKey,
    cursors: [undefined],
  });
  const cursors = paging.key === filterKey ? paging.cursors : [undefined];
  const setCursors = (next: (c: (number | undefined)[]) => (number | undefined)[]) =>
    setPaging({ key: filterKey, cursors: next(cursors) });
  const before = cursors[cursors.length - 1];
  const imports = useQuery({
    queryKey: ['imports', filters, before ?? null],
    queryFn: () => listImports(filters, before),
    placeholderData: keepPreviousData,
    enabled: !rangeBackwards,
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
      <SimpleGrid cols={{ base: 2, md: 3 }} spacing="sm" data-testid="import-filters">
        <TextInput label="File name" placeholder="Part of the name" type="search" {...search.inputProps} />
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={FILTER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
          value={filters.status ?? null}
          onChange={(v) => update({ status: v })}
        />
        <Select
          label="Target"
          placeholder="Any target"
          clearable
          data={(targets.data ?? []).map((t) => ({ value: t.name, label: t.label }))}
          value={filters.target ?? null}
          onChange={(v) => update({ target: v })}
        />
        <Select
          label="Started by"
          placeholder="Anyone"
          clearable
          searchable
          data={[
            ...new Set([
              ...(imports.data?.startedBy ?? []),
              ...(filters.createdBy ? [filters.createdBy] : []),
            ]),
          ]}
          value={filters.createdBy ?? null}
          onChange={(v) => update({ createdBy: v })}
        />
        <TextInput
          label="Started from"
          type="date"
          value={filters.from ?? ''}
          onChange={(e) => update({ from: e.currentTarget.value })}
        />
        <TextInput
          label="Started until"
          type="date"
          value={filters.to ?? ''}
          min={filters.from}
          error={rangeBackwards ? 'Before the start of the range.' : undefined}
          onChange={(e) => update({ to: e.currentTarget.value })}
        />
      </SimpleGrid>
      {filtered && (
        <Group gap="sm">
          <Text size="sm" c="dimmed">
            Showing the imports that match these filters (dates in UTC).
          </Text>
          <Button
            variant="subtle"
            size="compact-sm"
            onClick={() => {
              search.setText('');
              update({ status: null, target: null, createdBy: null, from: null, to: null, q: null });
            }}
          >
            Clear filters
          </Button>
        </Group>
      )}
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
                    {filtered ? 'No import matches these filters.' : 'No import yet.'}
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
