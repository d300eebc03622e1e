import { Anchor, Button, Stack, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useCan } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate, plural } from '../lib/format';
import { orNull, useFormState } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createCustomer, deleteCustomer, listCustomers, updateCustomer } from './api';
import type { Customer } from './types';
import { DataTable, FormModal, PageHeader, RowActions } from './ui';

const EMPTY = { name: '', externalId: '' };

/** The customer form, shared by the list (create, edit) and a customer's page (edit). */
export function useCustomerEditor(onSaved?: (customer: Customer) => void) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Customer | 'new' | null>(null);
  const form = useFormState(EMPTY);
  const open = (customer: Customer | 'new') => {
    form.reset(customer === 'new' ? EMPTY : { name: customer.name, externalId: customer.externalId ?? '' });
    setEditing(customer);
  };
  const save = useMutation({
    mutationFn: () => {
      const body = { name: form.values.name, externalId: orNull(form.values.externalId) };
      return editing === 'new' || editing === null ? createCustomer(body) : updateCustomer(editing.id, body);
    },
    onSuccess: (customer) => {
      notifications.show({ color: 'green', message: `Customer "${customer.name}" saved.` });
      setEditing(null);
      onSaved?.(customer);
      return queryClient.invalidateQueries({ queryKey: ['customers'] });
    },
    onError: form.fail,
  });
  const modal = (
    <FormModal
      opened={editing !== null}
      title={editing === 'new' ? 'New customer' : `Edit customer "${editing?.name ?? ''}"`}
      onClose={() => setEditing(null)}
      onSubmit={() => save.mutate()}
      pending={save.isPending}
      formError={form.formError}
      submitLabel={editing === 'new' ? 'Create customer' : 'Save'}
    >
      <TextInput
        label="Name"
        description={editing === 'new' ? 'A site HQ, the default site, is created with it.' : undefined}
        required
        data-autofocus
        value={form.values.name}
        onChange={(e) => form.set('name', e.currentTarget.value)}
        error={form.errors.name}
      />
      <TextInput
        label="External id"
        description="The customer's id in another system (e.g. the CRM). Optional."
        value={form.values.externalId}
        onChange={(e) => form.set('externalId', e.currentTarget.value)}
        error={form.errors.externalId}
      />
    </FormModal>
  );
  return { open, modal };
}

/** Customers of the portal; each opens to its page with its sites. */
export function CustomersPage() {
  const can = useCan();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const customers = useQuery({
    queryKey: ['customers', 'search', q],
    queryFn: () => listCustomers(q || undefined),
    placeholderData: keepPreviousData,
  });
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const editor = useCustomerEditor((c) => navigate(`/customers/${c.id}`));

  const columns: ColumnDef<Customer>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: ({ row }) => (
        <Anchor component={Link} href={`/customers/${row.original.id}`} fw={500}>
          {row.original.name}
        </Anchor>
      ),
    },
    { id: 'externalId', header: 'External id', cell: ({ row }) => row.original.externalId ?? '—' },
    { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) => (
        <RowActions
          name={row.original.name}
          onEdit={can('customers.manage') ? () => editor.open(row.original) : undefined}
          onDelete={
            can('customers.create')
              ? () =>
                  setDeleting({
                    what: `the customer "${row.original.name}"`,
                    detail: 'Its sites go with it. A customer that still has users or contacts is kept.',
                    run: () => deleteCustomer(row.original.id),
                    afterwards: () => queryClient.invalidateQueries({ queryKey: ['customers'] }),
                  })
              : undefined
          }
        />
      ),
    },
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Customers"
        subtitle={customers.data ? plural(customers.data.length, 'customer') : ' '}
        busy={customers.isFetching}
        action={can('customers.create') && <Button onClick={() => editor.open('new')}>New customer</Button>}
      />
      <TextInput
        label="Search"
        placeholder="Start of the name"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={360}
      />
      {customers.isError && <LoadError what="customers" error={customers.error} />}
      <DataTable
        data={customers.data}
        columns={columns}
        rowId={(c) => String(c.id)}
        empty={q ? 'No customer matches.' : 'No customers yet.'}
        testId="customers-table"
        label="Customers"
        minWidth={560}
      />
      {editor.modal}
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
