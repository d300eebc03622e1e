import {
  Anchor,
  Badge,
  Button,
  Checkbox,
  CloseButton,
  Group,
  Loader,
  Menu,
  Pagination,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useState } from 'react';
import { Link } from 'wouter';
import { useCan } from '../auth/session';
import { formatDate, formatNumber, plural } from '../lib/format';
import { LoadError } from '../lib/LoadError';
import { usePhone } from '../lib/responsive';
import { EmptyTableRow, TableRows } from '../lib/table-rows';
import { idParam, useQueryParams, useSearchBox } from '../lib/url-params';
import { SetupChecklist } from '../setup/SetupChecklist';
import { exportUrl, listUsers } from './api';
import { BulkActions } from './BulkActions';
import { useGroups, useRoles, useSites } from './directory';
import { CustomerFilter, IdSelect } from './IdSelect';
import { displayName, STATUS_COLORS, STATUSES, statusLabel } from './status';
import type { User, UserQuery, UserSort, UserStatus } from './types';
import { UserCards } from './UserCards';

const PAGE_SIZE = 25;

/** Columns the API sorts by, and the column each sorts. */
const SORTABLE: Partial<Record<string, UserSort>> = {
  name: 'displayName',
  email: 'email',
  username: 'username',
  createdAt: 'createdAt',
};
/** What the API does without `order`: newest first by date, A to Z otherwise. */
const defaultOrder = (sort: UserSort): 'asc' | 'desc' => (sort === 'createdAt' ? 'desc' : 'asc');

const columns: ColumnDef<User>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <Anchor component={Link} href={`/users/${row.original.id}`} fw={500} size="sm">
        {displayName(row.original)}
      </Anchor>
    ),
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
            <Badge key={r.id} variant="outline" size="sm" miw="max-content">
              {r.name}
            </Badge>
          ))}
        </Group>
      ),
  },
  {
    id: 'createdAt',
    header: 'Created',
    cell: ({ row }) => <span style={{ whiteSpace: 'nowrap' }}>{formatDate(row.original.createdAt)}</span>,
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <Badge color={STATUS_COLORS[row.original.status]} variant="light" miw="max-content">
        {row.original.status}
      </Badge>
    ),
  },
];

/**
 * The users list. Every filter, the sort and the page live in the address (`?q=…&status=…&page=2`),
 * so a link or a reload shows the same list; the import's results page links here with `?importId=`.
 */
export function UsersPage() {
  const can = useCan();
  const phone = usePhone();
  const [params, update] = useQueryParams();
  const q = params.get('q') ?? '';
  const status = (STATUSES as string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as UserStatus)
    : null;
  const customerId = idParam(params.get('customerId'));
  const siteId = idParam(params.get('siteId'));
  const roleId = idParam(params.get('roleId'));
  const groupId = idParam(params.get('groupId'));
  const importId = idParam(params.get('importId'));
  const sortParam = params.get('sort');
  const sort: UserSort = Object.values(SORTABLE).includes(sortParam as UserSort)
    ? (sortParam as UserSort)
    : 'createdAt';
  const orderParam = params.get('order');
  const order = orderParam === 'asc' || orderParam === 'desc' ? orderParam : null;
  const effectiveOrder = order ?? defaultOrder(sort);
  const page = idParam(params.get('page')) ?? 1;

  const search = useSearchBox('q', params, update);

  const sites = useSites(customerId ?? null);
  const roles = useRoles();
  const groups = useGroups();

  const query: UserQuery = {
    q: q || undefined,
    status: status ? [status] : undefined,
    customerId,
    siteId,
    roleId,
    groupId,
    importId,
    sort,
    order: order ?? undefined,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const users = useQuery({
    queryKey: ['users', query],
    queryFn: () => listUsers(query),
    placeholderData: keepPreviousData,
  });

  const total = users.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  // Selection: users ticked on this page, or every user the filters match. A new filter clears it.
  const filterKey = JSON.stringify([q, status, customerId, siteId, roleId, groupId, importId]);
  const [selection, setSelection] = useState<{ key: string; ids: ReadonlySet<number>; all: boolean }>({
    key: filterKey,
    ids: new Set(),
    all: false,
  });
  const current = selection.key === filterKey;
  const selected: ReadonlySet<number> = current ? selection.ids : new Set();
  const allMatching = current && selection.all;
  const setSelected = (ids: ReadonlySet<number>) => setSelection({ key: filterKey, ids, all: false });
  const setAllMatching = (all: boolean) => setSelection({ key: filterKey, ids: selected, all });
  const pageIds = (users.data?.items ?? []).map((u) => u.id);
  const pageSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const manage = can('users.manage');
  const toggle = (id: number, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const togglePage = (on: boolean) => setSelected(on ? new Set(pageIds) : new Set());
  const bulkSelection = allMatching
    ? {
        filter: {
          ...(q && { q }),
          ...(status && { status: [status] }),
          ...(customerId && { customerId }),
          ...(siteId && { siteId }),
          ...(roleId && { roleId }),
          ...(groupId && { groupId }),
          ...(importId && { importId }),
        },
      }
    : selected.size > 0
      ? { ids: [...selected] }
      : null;
  const selectedCount = allMatching ? total : selected.size;
  const tableColumns: ColumnDef<User>[] = manage
    ? [
        {
          id: 'select',
          header: () => (
            <Checkbox
              aria-label="Select every user on this page"
              checked={pageSelected}
              indeterminate={!pageSelected && pageIds.some((id) => selected.has(id))}
              onChange={(e) => togglePage(e.currentTarget.checked)}
            />
          ),
          cell: ({ row }) => (
            <Checkbox
              aria-label={`Select ${displayName(row.original)}`}
              checked={allMatching || selected.has(row.original.id)}
              onChange={(e) => toggle(row.original.id, e.currentTarget.checked)}
            />
          ),
        },
        ...columns,
      ]
    : columns;
  const table = useReactTable({
    data: users.data?.items ?? [],
    columns: tableColumns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (u) => String(u.id),
    manualPagination: true,
    manualSorting: true,
    pageCount: pages,
  });

  const sortBy = (columnSort: UserSort) => {
    if (columnSort === sort) {
      update({ sort: columnSort, order: effectiveOrder === 'asc' ? 'desc' : 'asc' });
    } else update({ sort: columnSort, order: null });
  };

  const filtered = Boolean(q || status || customerId || siteId || roleId || groupId || importId);
  const emptyText = filtered ? 'No users match these filters.' : 'No users yet.';

  return (
    <Stack gap="md">
      <SetupChecklist />
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={2}>Users</Title>
          <Text c="dimmed" size="sm" data-testid="users-total">
            {users.data
              ? users.data.totalExact
                ? plural(total, 'user')
                : `More than ${formatNumber(total - 1)} users`
              : ' '}
          </Text>
        </div>
        <Group gap="sm">
          {users.isFetching && <Loader size="sm" aria-label="Loading users" />}
          {can('imports.run') && (
            <Button
              variant="default"
              component={Link}
              href={`/imports/new?target=users${customerId ? `&customerId=${customerId}` : ''}`}
            >
              Import users
            </Button>
          )}
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="default" disabled={total === 0} data-testid="users-export">
                Export
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{filtered ? 'The users shown' : `All ${plural(total, 'user')}`}</Menu.Label>
              <Menu.Item component="a" href={exportUrl(query, 'xlsx')} download>
                Excel workbook (.xlsx)
              </Menu.Item>
              <Menu.Item component="a" href={exportUrl(query, 'csv')} download>
                CSV file
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
          {manage && (
            <BulkActions
              selection={bulkSelection}
              count={selectedCount}
              onDone={() => setSelected(new Set())}
            />
          )}
          {can('users.manage') && (
            <Button component={Link} href="/users/new">
              New user
            </Button>
          )}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        <TextInput
          style={{ gridColumn: 'span 2' }}
          label="Search"
          placeholder="Part of an email, name, username or employee number"
          {...search.inputProps}
        />
        <Select
          label="Status"
          placeholder="Any status"
          data={STATUSES.map((s) => ({ value: s, label: statusLabel(s) }))}
          value={status}
          onChange={(v) => update({ status: v })}
          clearable
        />
        <CustomerFilter selectedId={customerId} onPick={(v) => update({ customerId: v, siteId: null })} />
        <IdSelect
          label="Site"
          placeholder={customerId ? 'Any site' : 'Choose a customer first'}
          items={sites.data}
          selectedId={siteId}
          onPick={(v) => update({ siteId: v })}
          disabled={!customerId}
          clearable
        />
        <IdSelect
          label="Role"
          placeholder="Any role"
          items={roles.data}
          selectedId={roleId}
          onPick={(v) => update({ roleId: v })}
          searchable
          clearable
        />
        <IdSelect
          label="Group"
          placeholder="Any group"
          items={groups.data}
          selectedId={groupId}
          onPick={(v) => update({ groupId: v })}
          searchable
          clearable
        />
      </SimpleGrid>
      {(importId || filtered) && (
        <Group gap="sm">
          {importId && (
            <Badge
              variant="light"
              size="lg"
              rightSection={
                <CloseButton
                  size="xs"
                  aria-label="Show users of every import"
                  onClick={() => update({ importId: null })}
                />
              }
              data-testid="import-filter"
            >
              Created or changed by import #{importId}
            </Badge>
          )}
          {filtered && (
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => {
                search.setText('');
                update(
                  Object.fromEntries(
                    [...params.keys()].filter((k) => k !== 'sort' && k !== 'order').map((k) => [k, null]),
                  ),
                );
              }}
            >
              Clear filters
            </Button>
          )}
        </Group>
      )}
      {manage && pageSelected && total > pageIds.length && (
        <Group gap="sm" data-testid="select-all-matching">
          {allMatching ? (
            <>
              <Text size="sm">All {plural(total, 'matching user')} are selected.</Text>
              <Button variant="subtle" size="compact-sm" onClick={() => togglePage(false)}>
                Clear selection
              </Button>
            </>
          ) : (
            <>
              <Text size="sm">All {plural(pageIds.length, 'user')} on this page are selected.</Text>
              <Button variant="subtle" size="compact-sm" onClick={() => setAllMatching(true)}>
                Select all {plural(total, 'matching user')}
              </Button>
            </>
          )}
        </Group>
      )}
      {users.isError && <LoadError what="users" error={users.error} />}
      {phone ? (
        <UserCards
          users={users.data?.items}
          empty={users.isSuccess ? emptyText : null}
          {...(manage && {
            selection: {
              isSelected: (id: number) => allMatching || selected.has(id),
              toggle,
              page: pageSelected ? 'all' : pageIds.some((id) => selected.has(id)) ? 'some' : 'none',
              togglePage,
            },
          })}
        />
      ) : (
        <Table.ScrollContainer minWidth={960}>
          <Table striped highlightOnHover verticalSpacing="xs" data-testid="users-table">
            <Table.Thead>
              {table.getHeaderGroups().map((hg) => (
                <Table.Tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const columnSort = SORTABLE[h.column.id];
                    const label = flexRender(h.column.columnDef.header, h.getContext());
                    if (!columnSort) return <Table.Th key={h.id}>{label}</Table.Th>;
                    const active = columnSort === sort;
                    return (
                      <Table.Th
                        key={h.id}
                        aria-sort={active ? (effectiveOrder === 'asc' ? 'ascending' : 'descending') : 'none'}
                      >
                        <UnstyledButton
                          onClick={() => sortBy(columnSort)}
                          fw={700}
                          fz="sm"
                          aria-label={`Sort by ${String(h.column.columnDef.header).toLowerCase()}`}
                        >
                          {label}{' '}
                          <Text span c={active ? undefined : 'dimmed'} aria-hidden="true">
                            {active ? (effectiveOrder === 'asc' ? '▲' : '▼') : '↕'}
                          </Text>
                        </UnstyledButton>
                      </Table.Th>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Thead>
            <Table.Tbody>
              <TableRows table={table} />
              {users.isSuccess && users.data.items.length === 0 && (
                <EmptyTableRow columns={tableColumns.length}>{emptyText}</EmptyTableRow>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Pagination
          total={pages}
          value={Math.min(page, pages)}
          onChange={(p) => update({ page: p })}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      )}
    </Stack>
  );
}
