import { Anchor, Badge, Button, Group, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'wouter';
import { formatNumber, plural } from '../lib/format';
import { LoadError } from '../lib/LoadError';
import { DataTable } from '../manage/ui';
import { listRecords } from './api';
import { RECORD_TYPE_SINGULAR } from './labels';
import type { RecordItem, RecordQuery } from './types';

const PAGE_SIZE = 50;

/** Records as a table with keyset paging: the Records page's list and a user's Records tab. */
export function RecordsTable({ filter, showOwner = true }: { filter: RecordQuery; showOwner?: boolean }) {
  // The cursors of the pages before this one, so that "Previous" can go back; reset with the filter.
  const [paging, setPaging] = useState<{ key: string; cursors: (number | undefined)[] }>({
    key: '',
    cursors: [undefined],
  });
  const filterKey = JSON.stringify(filter);
  const cursors = paging.key === filterKey ? paging.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const records = useQuery({
    queryKey: ['records', filter, cursor],
    queryFn: () => listRecords({ ...filter, ...(cursor !== undefined && { cursor }), limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const columns: ColumnDef<RecordItem>[] = [
    {
      id: 'title',
      header: 'Name',
      cell: ({ row }) => (
        <Anchor component={Link} href={`/records/${row.original.id}`} fw={500}>
          {row.original.title}
        </Anchor>
      ),
    },
    {
      id: 'type',
      header: 'Type',
      cell: ({ row }) => <Badge variant="light">{RECORD_TYPE_SINGULAR[row.original.type]}</Badge>,
    },
    { id: 'key', header: 'Key', cell: ({ row }) => row.original.key },
    ...(showOwner
      ? [
          {
            id: 'owner',
            header: 'Owner',
            cell: ({ row }) => row.original.owner.email,
          } as ColumnDef<RecordItem>,
        ]
      : []),
    { id: 'customerRef', header: 'Customer number', cell: ({ row }) => row.original.customerRef ?? '—' },
    { id: 'date', header: 'Date', cell: ({ row }) => row.original.date ?? '—' },
    { id: 'customer', header: 'Customer', cell: ({ row }) => row.original.customer.name },
  ];
  const total = records.data?.total ?? 0;
  const first = (cursors.length - 1) * PAGE_SIZE + 1;
  const shown = records.data?.items.length ?? 0;
  return (
    <>
      {records.isError && <LoadError what="records" error={records.error} />}
      <DataTable
        data={records.data?.items}
        columns={columns}
        rowId={(r) => String(r.id)}
        empty="No records here."
        testId="records-table"
        label="Records"
      />
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {shown > 0
            ? `${formatNumber(first)}–${formatNumber(first + shown - 1)} of ${plural(total, 'record')}`
            : plural(total, 'record')}
        </Text>
        <Group gap="xs">
          <Button
            variant="default"
            size="xs"
            disabled={cursors.length <= 1}
            onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}
          >
            Previous
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={!records.data?.nextCursor}
            onClick={() =>
              setPaging({ key: filterKey, cursors: [...cursors, Number(records.data!.nextCursor)] })
            }
          >
            Next
          </Button>
        </Group>
      </Group>
    </>
  );
}
