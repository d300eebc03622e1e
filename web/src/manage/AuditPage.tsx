import { Badge, Button, Code, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { formatDateTime } from '../lib/format';
import { LoadError } from '../lib/LoadError';
import { listAudit } from './api';
import type { AuditEntry } from './types';
import { DataTable, PageHeader, useCustomerName } from './ui';

const PAGE_SIZE = 50;

/** The kinds of object the audit log records, as the API names them. */
const ENTITY_TYPES: Record<string, string> = {
  user: 'Users',
  import: 'Imports',
  import_config: 'Import configurations',
  mail: 'Email',
  customer: 'Customers',
  site: 'Sites',
  contact: 'Contacts',
  role: 'Portal roles',
  group: 'Groups',
  attribute: 'Custom attributes',
  admin: 'Admins',
  token: 'API tokens',
  settings: 'Settings',
};

/** One object of a kind, for the Object column. */
const ENTITY_NAMES: Record<string, string> = {
  user: 'User',
  import: 'Import',
  import_config: 'Import configuration',
  mail: 'Email',
  customer: 'Customer',
  site: 'Site',
  contact: 'Contact',
  role: 'Portal role',
  group: 'Group',
  attribute: 'Attribute',
  admin: 'Admin',
  token: 'API token',
  settings: 'Settings',
};

/** Details as short `key: value` text; long values are cut, the whole is in the title. */
function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/** Who did what and when, newest first; filtered by kind of object and its id. */
export function AuditPage() {
  const customerName = useCustomerName();
  const [entityType, setEntityType] = useState<string | null>(null);
  const [entityIdInput, setEntityIdInput] = useState('');
  const [entityId] = useDebouncedValue(entityIdInput.trim(), 300);
  // Keyset paging: the `before` cursors of the pages newer than this one.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const entries = useQuery({
    queryKey: ['audit', { entityType, entityId, before }],
    queryFn: () =>
      listAudit({
        ...(entityType && { entityType }),
        ...(entityId && { entityId }),
        ...(before !== undefined && { before }),
        limit: PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });
  const restart = () => setCursors([undefined]);

  const columns: ColumnDef<AuditEntry>[] = [
    {
      id: 'at',
      header: 'When',
      cell: ({ row }) => (
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(row.original.at)}
        </Text>
      ),
    },
    {
      id: 'who',
      header: 'Who',
      cell: ({ row }) => (
        <Group gap={4} wrap="nowrap">
          <Text size="sm">{row.original.actorLabel}</Text>
          {row.original.actorKind !== 'admin' && (
            <Badge size="xs" variant="light" color="gray">
              {row.original.actorKind}
            </Badge>
          )}
        </Group>
      ),
    },
    { id: 'action', header: 'Action', cell: ({ row }) => <Code>{row.original.action}</Code> },
    {
      id: 'entity',
      header: 'Object',
      cell: ({ row }) =>
        `${ENTITY_NAMES[row.original.entityType] ?? row.original.entityType}${row.original.entityId ? ` #${row.original.entityId}` : ''}`,
    },
    {
      id: 'customer',
      header: 'Customer',
      cell: ({ row }) => (row.original.customerId === null ? '—' : customerName(row.original.customerId)),
    },
    {
      id: 'details',
      header: 'Details',
      cell: ({ row }) => {
        const text = describeDetails(row.original.details);
        return text ? (
          <Text size="xs" c="dimmed" lineClamp={2} title={text} maw={360}>
            {text}
          </Text>
        ) : null;
      },
    },
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Audit log"
        subtitle="Who did what and when, newest first."
        busy={entries.isFetching}
      />
      <Group gap="sm" align="flex-end">
        <Select
          label="Object"
          placeholder="Every kind"
          data={Object.entries(ENTITY_TYPES).map(([value, label]) => ({ value, label }))}
          value={entityType}
          onChange={(v) => {
            setEntityType(v);
            restart();
          }}
          clearable
          w={240}
        />
        <TextInput
          label="Object id"
          placeholder="e.g. 42"
          value={entityIdInput}
          onChange={(e) => {
            setEntityIdInput(e.currentTarget.value);
            restart();
          }}
          w={140}
        />
      </Group>
      {entries.isError && <LoadError what="the audit log" error={entries.error} />}
      <DataTable
        data={entries.data?.items}
        columns={columns}
        rowId={(e) => String(e.id)}
        empty="No entries match."
        testId="audit-table"
        label="Audit log"
        minWidth={960}
      />
      {(cursors.length > 1 || entries.data?.nextCursor) && (
        <Group justify="flex-end" gap="xs">
          <Button
            variant="default"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </Button>
          <Button
            variant="default"
            disabled={!entries.data?.nextCursor}
            onClick={() => {
              const next = entries.data?.nextCursor;
              if (next) setCursors((c) => [...c, Number(next)]);
            }}
          >
            Older
          </Button>
        </Group>
      )}
    </Stack>
  );
}
