import {
  Alert,
  Badge,
  Group,
  Loader,
  Pagination,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useState } from 'react';
import { listUsers } from './api';
import type { User, UserStatus } from './types';

const PAGE_SIZE = 25;

const STATUS_COLORS: Record<UserStatus, string> = {
  pending: 'yellow',
  active: 'green',
  expired: 'gray',
  disabled: 'red',
  blocked: 'dark',
};
const STATUSES = Object.keys(STATUS_COLORS) as UserStatus[];

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const columns: ColumnDef<User>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) =>
      row.original.displayName || `${row.original.firstName} ${row.original.lastName}`.trim(),
  },
  { id: 'email', header: 'Access email', accessorKey: 'email' },
  { id: 'username', header: 'Username', accessorKey: 'username' },
  { id: 'customer', header: 'Customer', cell: ({ row }) => row.original.customer.name },
  { id: 'site', header: 'Site', cell: ({ row }) => row.original.site.name },
  {
    id: 'roles',
    header: 'Roles',
    cell: ({ row }) =>
      row.original.roles.length === 0 ? (
        <Text c="dimmed" size="sm">
          —
        </Text>
      ) : (
        <Group gap={4}>
          {row.original.roles.map((r) => (
            <Badge key={r.id} variant="outline" size="sm">
              {r.name}
            </Badge>
          ))}
        </Group>
      ),
  },
  {
    id: 'createdAt',
    header: 'Created',
    cell: ({ row }) => dateFormat.format(new Date(row.original.createdAt)),
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <Badge color={STATUS_COLORS[row.original.status]} variant="light">
        {row.original.status}
      </Badge>
    ),
  },
];

export function UsersPage() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<UserStatus | null>(null);
  const [page, setPage] = useState(1);

  const users = useQuery({
    queryKey: ['users', { q, status, page }],
    queryFn: () =>
      listUsers({
        q: q || undefined,
        status: status ? [status] : undefined,
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });

  const total = users.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const table = useReactTable({
    data: users.data?.items ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (u) => String(u.id),
    manualPagination: true,
    pageCount: pages,
  });

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Users</Title>
          <Text c="dimmed" size="sm" data-testid="users-total">
            {users.data ? `${total} ${total === 1 ? 'user' : 'users'}` : ' '}
          </Text>
        </div>
        {users.isFetching && <Loader size="sm" />}
      </Group>
      <Group gap="sm" align="flex-end" grow preventGrowOverflow={false}>
        <TextInput
          label="Search"
          placeholder="Email, username or name"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          miw={200}
        />
        <Select
          label="Status"
          placeholder="Any status"
          data={STATUSES.map((s) => ({ value: s, label: s[0]!.toUpperCase() + s.slice(1) }))}
          value={status}
          onChange={(v) => {
            setStatus(v as UserStatus | null);
            setPage(1);
          }}
          clearable
          maw={220}
          miw={160}
        />
      </Group>
      {users.isError && (
        <Alert color="red" title="Could not load users" role="alert">
          {users.error.message}
        </Alert>
      )}
      <Table.ScrollContainer minWidth={960}>
        <Table striped highlightOnHover verticalSpacing="xs" data-testid="users-table">
          <Table.Thead>
            {table.getHeaderGroups().map((hg) => (
              <Table.Tr key={hg.id}>
                {hg.headers.map((h) => (
                  <Table.Th key={h.id}>{flexRender(h.column.columnDef.header, h.getContext())}</Table.Th>
                ))}
              </Table.Tr>
            ))}
          </Table.Thead>
          <Table.Tbody>
            {table.getRowModel().rows.map((row) => (
              <Table.Tr key={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <Table.Td key={cell.id}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
            {users.isSuccess && users.data.items.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={columns.length}>
                  <Text c="dimmed" ta="center" py="md">
                    No users match.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {pages > 1 && <Pagination total={pages} value={page} onChange={setPage} />}
    </Stack>
  );
}
