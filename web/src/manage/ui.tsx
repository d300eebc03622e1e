import { Alert, Badge, Button, Group, Loader, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type ColumnDef, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { type FormEvent, type ReactNode, useRef } from 'react';
import type { DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate } from '../lib/format';
import { actionsFirst, usePhone } from '../lib/responsive';
import { EmptyTableRow, TableRows } from '../lib/table-rows';
import { listCustomers } from './api';

/** A page's title, a line under it (counts, help) and its main action. */
export function PageHeader({
  title,
  subtitle,
  action,
  busy,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  action?: ReactNode;
  busy?: boolean;
}) {
  return (
    <Group justify="space-between" align="flex-end" gap="sm">
      <div>
        <Group gap="xs">
          <Title order={2}>{title}</Title>
          {busy && <Loader size="xs" aria-label="Loading" />}
        </Group>
        {subtitle && (
          <Text c="dimmed" size="sm" data-testid="page-subtitle">
            {subtitle}
          </Text>
        )}
      </div>
      {action}
    </Group>
  );
}

/**
 * A list as a table: horizontal scrolling on narrow screens, with the row actions (the column with id
 * `actions`) first on a phone so that they are on screen; a sentence when it is empty.
 */
export function DataTable<T>({
  data,
  columns,
  rowId,
  empty,
  minWidth = 640,
  testId,
  label,
}: {
  data: T[] | undefined;
  columns: ColumnDef<T>[];
  rowId: (row: T) => string;
  empty: string;
  minWidth?: number;
  testId: string;
  /** What the table lists, for screen readers. */
  label: string;
}) {
  const phone = usePhone();
  const table = useReactTable({
    data: data ?? [],
    columns: actionsFirst(columns, phone),
    getCoreRowModel: getCoreRowModel(),
    getRowId: rowId,
  });
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped highlightOnHover verticalSpacing="xs" data-testid={testId} aria-label={label}>
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
          <TableRows table={table} />
          {data && data.length === 0 && <EmptyTableRow columns={columns.length}>{empty}</EmptyTableRow>}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** A dialog holding a form: the API's message for the whole form on top, Cancel and Save below. */
export function FormModal({
  opened,
  title,
  onClose,
  onSubmit,
  pending,
  formError,
  submitLabel = 'Save',
  children,
}: {
  opened: boolean;
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  pending: boolean;
  formError: string | null;
  submitLabel?: string;
  children: ReactNode;
}) {
  // While the dialog closes, it keeps the title it had open (the page has let go of its object).
  const shownTitle = useRef(title);
  if (opened) shownTitle.current = title;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Modal opened={opened} onClose={onClose} title={shownTitle.current} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          {formError && (
            <Alert color="red" title="Not saved" role="alert">
              {formError}
            </Alert>
          )}
          {children}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Edit and delete buttons of a row, each naming its row for screen readers. */
export function RowActions({
  name,
  onEdit,
  onDelete,
  children,
}: {
  name: string;
  onEdit?: (() => void) | undefined;
  onDelete?: (() => void) | undefined;
  children?: ReactNode;
}) {
  const phone = usePhone();
  if (!onEdit && !onDelete && !children) return null;
  return (
    <Group gap={4} wrap="nowrap" justify={phone ? 'flex-start' : 'flex-end'}>
      {children}
      {onEdit && (
        <Button size="compact-sm" variant="default" onClick={onEdit} aria-label={`Edit ${name}`}>
          Edit
        </Button>
      )}
      {onDelete && (
        <Button
          size="compact-sm"
          variant="subtle"
          color="red"
          onClick={onDelete}
          aria-label={`Delete ${name}`}
        >
          Delete
        </Button>
      )}
    </Group>
  );
}

/**
 * The actions column of a list whose rows are edited in a dialog and deleted after a confirmation;
 * empty for an admin who may not change them (`show` false).
 */
export function editDeleteColumn<T>({
  show,
  name,
  onEdit,
  onDelete,
  deleteTarget,
}: {
  show: boolean;
  /** The row's name, for the buttons' labels. */
  name: (row: T) => string;
  onEdit: (row: NoInfer<T>) => void;
  onDelete: (target: DeleteTarget) => void;
  deleteTarget: (row: T) => DeleteTarget;
}): ColumnDef<T> {
  return {
    id: 'actions',
    header: '',
    cell: ({ row }) =>
      show && (
        <RowActions
          name={name(row.original)}
          onEdit={() => onEdit(row.original)}
          onDelete={() => onDelete(deleteTarget(row.original))}
        />
      ),
  };
}

/** The column with the day a row was created. */
export function createdColumn<T extends { createdAt: string }>(): ColumnDef<T> {
  return { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) };
}

/** A yes-or-no state as a badge: `onLabel` in green, or `offLabel` in `offColor`. */
export function OnOffBadge({
  on,
  onLabel,
  offLabel,
  offColor,
}: {
  on: boolean;
  onLabel: string;
  offLabel: string;
  offColor: string;
}) {
  return (
    <Badge color={on ? 'green' : offColor} variant="light">
      {on ? onLabel : offLabel}
    </Badge>
  );
}

/** Every customer the admin may see, for names and pickers. */
export function useCustomers() {
  return useQuery({ queryKey: ['customers', 'all'], queryFn: () => listCustomers(), staleTime: 30_000 });
}

/** A customer's name by id, from the list the admin may see. */
export function useCustomerName(): (id: number | null) => string {
  const customers = useCustomers();
  return (id) => {
    if (id === null) return 'All customers';
    return customers.data?.find((c) => c.id === id)?.name ?? `Customer #${id}`;
  };
}
