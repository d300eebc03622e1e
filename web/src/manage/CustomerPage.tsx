import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useCan } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate, plural } from '../lib/format';
import { useFormState } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createSite, deleteCustomer, deleteSite, getCustomer, listSites, renameSite } from './api';
import { useCustomerEditor } from './CustomersPage';
import type { Site } from './types';
import { DataTable, FormModal, PageHeader, RowActions } from './ui';

/** The default site every customer has: it can be neither renamed nor deleted. */
const DEFAULT_SITE = 'HQ';
const isDefaultSite = (site: Site) => site.name.toLowerCase() === DEFAULT_SITE.toLowerCase();

/** One customer: its details and its sites (add, rename, delete; HQ is the default). */
export function CustomerPage() {
  const params = useParams<{ id: string }>();
  const customerId = Number(params.id);
  const can = useCan();
  const canManage = can('customers.manage');
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const customer = useQuery({
    queryKey: ['customers', customerId],
    queryFn: () => getCustomer(customerId),
    enabled: Number.isInteger(customerId) && customerId > 0,
  });
  const sites = useQuery({
    queryKey: ['customers', customerId, 'sites'],
    queryFn: () => listSites(customerId),
    enabled: customer.isSuccess,
  });
  const editor = useCustomerEditor();
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const refreshSites = () => queryClient.invalidateQueries({ queryKey: ['customers', customerId, 'sites'] });

  const addForm = useFormState({ name: '' });
  const add = useMutation({
    mutationFn: () => createSite(customerId, addForm.values.name),
    onSuccess: (site) => {
      notifications.show({ color: 'green', message: `Site "${site.name}" added.` });
      addForm.reset({ name: '' });
      return refreshSites();
    },
    onError: addForm.fail,
  });

  const [renaming, setRenaming] = useState<Site | null>(null);
  const renameForm = useFormState({ name: '' });
  const rename = useMutation({
    mutationFn: () => renameSite(customerId, renaming?.id ?? 0, renameForm.values.name),
    onSuccess: (site) => {
      notifications.show({ color: 'green', message: `Site renamed to "${site.name}".` });
      setRenaming(null);
      return refreshSites();
    },
    onError: renameForm.fail,
  });

  if (customer.isError) {
    return (
      <Stack gap="md">
        <Breadcrumbs>
          <Anchor component={Link} href="/customers">
            Customers
          </Anchor>
          <Text>Not found</Text>
        </Breadcrumbs>
        <LoadError what="this customer" error={customer.error} />
      </Stack>
    );
  }
  const c = customer.data;

  const columns: ColumnDef<Site>[] = [
    {
      id: 'name',
      header: 'Site',
      cell: ({ row }) => (
        <Group gap="xs" wrap="nowrap">
          <Text fw={500}>{row.original.name}</Text>
          {isDefaultSite(row.original) && (
            <Badge variant="light" size="sm">
              Default
            </Badge>
          )}
        </Group>
      ),
    },
    { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) =>
        canManage &&
        (isDefaultSite(row.original) ? (
          <Text size="xs" c="dimmed" ta="right">
            Users without a site go here
          </Text>
        ) : (
          <RowActions
            name={`site ${row.original.name}`}
            onEdit={() => {
              renameForm.reset({ name: row.original.name });
              setRenaming(row.original);
            }}
            onDelete={() =>
              setDeleting({
                what: `the site "${row.original.name}"`,
                detail: 'A site that still has users is kept; move them first.',
                run: () => deleteSite(customerId, row.original.id),
                afterwards: refreshSites,
              })
            }
          />
        )),
    },
  ];

  const submitAdd = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };

  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Anchor component={Link} href="/customers">
          Customers
        </Anchor>
        <Text>{c?.name ?? '…'}</Text>
      </Breadcrumbs>
      <PageHeader
        title={c?.name ?? ' '}
        subtitle={
          c
            ? `${c.externalId ? `External id ${c.externalId} · ` : ''}Created ${formatDate(c.createdAt)}`
            : ' '
        }
        busy={customer.isFetching}
        action={
          c && (
            <Group gap="xs">
              {can('imports.run') && (
                <Button component={Link} href={`/imports/new?customerId=${c.id}`}>
                  Import users
                </Button>
              )}
              <Button variant="default" component={Link} href={`/contacts?customerId=${c.id}`}>
                Contacts
              </Button>
              {canManage && (
                <Button variant="default" onClick={() => editor.open(c)}>
                  Edit
                </Button>
              )}
              {can('customers.create') && (
                <Button
                  variant="light"
                  color="red"
                  onClick={() =>
                    setDeleting({
                      what: `the customer "${c.name}"`,
                      detail: 'Its sites go with it. A customer that still has users or contacts is kept.',
                      run: () => deleteCustomer(c.id),
                      afterwards: () => {
                        queryClient.removeQueries({ queryKey: ['customers', c.id] });
                        void queryClient.invalidateQueries({ queryKey: ['customers'] });
                        navigate('/customers');
                      },
                    })
                  }
                >
                  Delete
                </Button>
              )}
            </Group>
          )
        }
      />

      <Title order={3} size="h4">
        Sites
      </Title>
      <Text size="sm" c="dimmed">
        {sites.data ? `${plural(sites.data.length, 'site')}. ` : ''}Every customer has the site {DEFAULT_SITE}
        , where users go when no site is given.
      </Text>
      {sites.isError && <LoadError what="sites" error={sites.error} />}
      <DataTable
        data={sites.data}
        columns={columns}
        rowId={(s) => String(s.id)}
        empty="No sites."
        testId="sites-table"
        label={`Sites of ${c?.name ?? 'the customer'}`}
        minWidth={420}
      />
      {canManage && (
        <Paper withBorder p="sm" component="form" onSubmit={submitAdd} noValidate maw={520}>
          <Group align="flex-start" gap="sm">
            <TextInput
              label="New site"
              placeholder="Site name"
              value={addForm.values.name}
              onChange={(e) => addForm.set('name', e.currentTarget.value)}
              error={addForm.errors.name ?? addForm.formError}
              style={{ flex: 1 }}
              miw={180}
            />
            <Button type="submit" loading={add.isPending} mt={25}>
              Add site
            </Button>
          </Group>
        </Paper>
      )}

      <FormModal
        opened={renaming !== null}
        title={`Rename site "${renaming?.name ?? ''}"`}
        onClose={() => setRenaming(null)}
        onSubmit={() => rename.mutate()}
        pending={rename.isPending}
        formError={renameForm.formError}
        submitLabel="Rename"
      >
        <TextInput
          label="Name"
          required
          data-autofocus
          value={renameForm.values.name}
          onChange={(e) => renameForm.set('name', e.currentTarget.value)}
          error={renameForm.errors.name}
        />
      </FormModal>
      {editor.modal}
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
