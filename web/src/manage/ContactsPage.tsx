import { Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useCan, useSession } from '../auth/session';
import { ConfirmDelete } from '../lib/ConfirmDelete';
import { formatNumber, plural } from '../lib/format';
import { orNull, textFieldProps } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { type ParamChanges, useQueryParams, useSearchBox } from '../lib/url-params';
import { createContact, deleteContact, listContacts, updateContact } from './api';
import { useEditDialogs } from './edit-dialogs';
import type { Contact } from './types';
import {
  createdColumn,
  DataTable,
  editDeleteColumn,
  FormModal,
  PageHeader,
  useCustomerName,
  useCustomers,
} from './ui';

const PAGE_SIZE = 50;
const EMPTY = { customerId: '', firstName: '', lastName: '', email: '', externalId: '' };

const contactName = (c: Contact) => `${c.firstName} ${c.lastName}`.trim() || c.email || `Contact #${c.id}`;

/** Contacts: people under a customer, often synced from a CRM, that may later get a portal account. */
export function ContactsPage() {
  const can = useCan();
  const me = useSession();
  const canChange = can('users.manage');
  const [searchParams, updateParams] = useQueryParams();
  const customerFilter = searchParams.get('customerId');
  const q = searchParams.get('q') ?? '';
  const customers = useCustomers();
  const customerName = useCustomerName();
  // Keyset paging: the cursors of the pages before this one, so that "Previous" can go back.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const contacts = useQuery({
    queryKey: ['contacts', { customerFilter, q, cursor }],
    queryFn: () =>
      listContacts({
        ...(q && { q }),
        ...(customerFilter && { customerId: Number(customerFilter) }),
        ...(cursor !== undefined && { cursor }),
        limit: PAGE_SIZE,
      }),
    placeholderData: keepPreviousData,
  });
  const dialogs = useEditDialogs({
    valuesOf: (contact: Contact | 'new') => {
      const defaultCustomer = customerFilter ?? (me.admin.customerId ? String(me.admin.customerId) : '');
      return contact === 'new'
        ? { ...EMPTY, customerId: defaultCustomer }
        : {
            customerId: String(contact.customerId),
            firstName: contact.firstName,
            lastName: contact.lastName,
            email: contact.email ?? '',
            externalId: contact.externalId ?? '',
          };
    },
    save: (values, contact) => {
      const body = {
        firstName: values.firstName,
        lastName: values.lastName,
        email: orNull(values.email),
        externalId: orNull(values.externalId),
      };
      const customerId = Number(values.customerId);
      if (contact === null) return createContact({ customerId, ...body });
      return updateContact(contact.id, customerId === contact.customerId ? body : { customerId, ...body });
    },
    savedMessage: (contact) => `Contact "${contactName(contact)}" saved.`,
    listKey: ['contacts'],
  });
  const { form, editing } = dialogs;

  // Filters live in the address, so that a reload or a shared link keeps them.
  const filterBy = (changes: ParamChanges) => {
    setCursors([undefined]);
    updateParams(changes);
  };
  const search = useSearchBox('q', searchParams, filterBy);

  const columns: ColumnDef<Contact>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: ({ row }) => (
        <Text fw={500}>{`${row.original.firstName} ${row.original.lastName}`.trim() || '—'}</Text>
      ),
    },
    { id: 'email', header: 'Email', cell: ({ row }) => row.original.email ?? '—' },
    { id: 'externalId', header: 'External id (CRM)', cell: ({ row }) => row.original.externalId ?? '—' },
    { id: 'customer', header: 'Customer', cell: ({ row }) => customerName(row.original.customerId) },
    { id: 'id', header: 'Id', cell: ({ row }) => row.original.id },
    createdColumn(),
    editDeleteColumn({
      show: canChange,
      name: contactName,
      onEdit: dialogs.open,
      onDelete: dialogs.askDelete,
      deleteTarget: (contact) => ({
        what: `the contact "${contactName(contact)}"`,
        detail: 'A contact linked to a portal user is kept; unlink or delete the user first.',
        run: () => deleteContact(contact.id),
        afterwards: dialogs.refresh,
      }),
    }),
  ];

  const customerOptions = (customers.data ?? []).map((c) => ({ value: String(c.id), label: c.name }));
  const total = contacts.data?.total ?? 0;
  const first = (cursors.length - 1) * PAGE_SIZE + 1;
  const shown = contacts.data?.items.length ?? 0;

  return (
    <Stack gap="md">
      <PageHeader
        title="Contacts"
        subtitle={contacts.data ? plural(total, 'contact') : ' '}
        busy={contacts.isFetching}
        action={canChange && <Button onClick={() => dialogs.open('new')}>New contact</Button>}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" maw={760}>
        <TextInput label="Search" placeholder="Name, email or CRM id" {...search.inputProps} />
        {(customers.data?.length ?? 0) > 1 && (
          <Select
            label="Customer"
            placeholder="All customers"
            data={customerOptions}
            value={customerFilter}
            onChange={(id) => filterBy({ customerId: id })}
            clearable
            searchable
            nothingFoundMessage="No customer matches."
          />
        )}
      </SimpleGrid>
      {contacts.isError && <LoadError what="contacts" error={contacts.error} />}
      <DataTable
        data={contacts.data?.items}
        columns={columns}
        rowId={(c) => String(c.id)}
        empty={
          q
            ? 'No contact matches this search.'
            : customerFilter
              ? 'This customer has no contacts.'
              : 'No contacts yet.'
        }
        testId="contacts-table"
        label="Contacts"
        minWidth={860}
      />
      {(cursors.length > 1 || contacts.data?.nextCursor) && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            {shown > 0 &&
              `${formatNumber(first)}–${formatNumber(first + shown - 1)} of ${formatNumber(total)}`}
          </Text>
          <Group gap="xs">
            <Button
              variant="default"
              disabled={cursors.length <= 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous
            </Button>
            <Button
              variant="default"
              disabled={!contacts.data?.nextCursor}
              onClick={() => {
                const next = contacts.data?.nextCursor;
                if (next) setCursors((c) => [...c, Number(next)]);
              }}
            >
              Next
            </Button>
          </Group>
        </Group>
      )}
      <FormModal
        {...dialogs.formModalProps}
        title={editing === 'new' ? 'New contact' : `Edit contact "${editing ? contactName(editing) : ''}"`}
      >
        <Select
          label="Customer"
          required
          placeholder="Pick the customer"
          data={customerOptions}
          value={form.values.customerId || null}
          onChange={(v) => form.set('customerId', v ?? '')}
          error={form.errors.customerId}
          searchable
          allowDeselect={false}
          nothingFoundMessage="No customer matches."
          comboboxProps={{ withinPortal: true }}
        />
        <Group grow align="flex-start">
          <TextInput label="First name" data-autofocus {...textFieldProps(form, 'firstName')} />
          <TextInput label="Last name" {...textFieldProps(form, 'lastName')} />
        </Group>
        <TextInput label="Email" type="email" {...textFieldProps(form, 'email')} />
        <TextInput
          label="External id (CRM id)"
          description="The contact's id in the CRM; unique across contacts. Optional."
          {...textFieldProps(form, 'externalId')}
        />
      </FormModal>
      <ConfirmDelete {...dialogs.confirmDeleteProps} />
    </Stack>
  );
}
