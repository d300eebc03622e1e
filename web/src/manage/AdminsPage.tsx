import { Button, Group, PasswordInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useSession } from '../auth/session';
import { ConfirmDelete } from '../lib/ConfirmDelete';
import { formatDateTime, plural } from '../lib/format';
import { textFieldProps } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createAdmin, deleteAdmin, listAdmins, updateAdmin } from './api';
import { useEditDialogs } from './edit-dialogs';
import type { Admin, AdminRole, AdminUpdate } from './types';
import {
  DataTable,
  FormModal,
  OnOffBadge,
  PageHeader,
  RowActions,
  useCustomerName,
  useCustomers,
} from './ui';

export const ADMIN_ROLE_LABELS: Record<AdminRole, string> = {
  administrator: 'Administrator',
  user_admin: 'User admin',
  viewer: 'Viewer',
};
const ROLE_HELP: Record<AdminRole, string> = {
  administrator: 'Everything, including settings, admins and API tokens.',
  user_admin: 'Manages users and contacts; runs and rolls back imports.',
  viewer: 'Reads users, imports and their results; changes nothing.',
};
/** The scope picker's value for "every customer" (the API's null). */
const ALL = 'all';

const EMPTY = { name: '', email: '', role: 'viewer' as AdminRole, customerId: ALL, password: '' };

/** Admins of the console: role, customer scope, disable; passwords are set, never shown. */
export function AdminsPage() {
  const me = useSession();
  const admins = useQuery({ queryKey: ['admins'], queryFn: listAdmins });
  const customers = useCustomers();
  const customerName = useCustomerName();
  // A scoped administrator manages only admins of its own customer.
  const scopedTo = me.admin.customerId;
  const dialogs = useEditDialogs({
    valuesOf: (admin: Admin | 'new') =>
      admin === 'new'
        ? { ...EMPTY, customerId: scopedTo === null ? ALL : String(scopedTo) }
        : {
            name: admin.name,
            email: admin.email,
            role: admin.role,
            customerId: admin.customerId === null ? ALL : String(admin.customerId),
            password: '',
          },
    save: (values, admin) => {
      const { customerId, password, ...rest } = values;
      const scope = customerId === ALL ? null : Number(customerId);
      if (admin === null) return createAdmin({ ...rest, customerId: scope, password });
      const patch: AdminUpdate = { ...rest, customerId: scope };
      if (password !== '') patch.password = password;
      return updateAdmin(admin.id, patch);
    },
    savedMessage: (admin) => `Admin "${admin.name}" saved.`,
    listKey: ['admins'],
  });
  const { form, editing, refresh } = dialogs;
  const isNew = editing === 'new';
  const toggle = useMutation({
    mutationFn: (admin: Admin) => updateAdmin(admin.id, { disabled: !admin.disabled }),
    onSuccess: (admin) => {
      notifications.show({
        color: 'green',
        message: admin.disabled
          ? `${admin.name} is disabled and signed out everywhere.`
          : `${admin.name} may sign in again.`,
      });
      return refresh();
    },
    onError: (error, admin) =>
      notifications.show({
        color: 'red',
        title: `Could not change ${admin.name}`,
        message: error.message,
      }),
  });

  const columns: ColumnDef<Admin>[] = [
    {
      id: 'name',
      header: 'Admin',
      cell: ({ row }) => (
        <div>
          <Text fw={500}>
            {row.original.name}
            {row.original.id === me.admin.id && (
              <Text span c="dimmed" size="sm">
                {' '}
                (you)
              </Text>
            )}
          </Text>
          <Text size="sm" c="dimmed">
            {row.original.email}
          </Text>
        </div>
      ),
    },
    { id: 'role', header: 'Role', cell: ({ row }) => ADMIN_ROLE_LABELS[row.original.role] },
    { id: 'scope', header: 'Customers', cell: ({ row }) => customerName(row.original.customerId) },
    {
      id: 'status',
      header: 'Status',
      cell: ({ row }) => (
        <OnOffBadge on={!row.original.disabled} onLabel="Enabled" offLabel="Disabled" offColor="red" />
      ),
    },
    { id: 'lastLogin', header: 'Last sign-in', cell: ({ row }) => formatDateTime(row.original.lastLoginAt) },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) => {
        const admin = row.original;
        const self = admin.id === me.admin.id;
        return (
          <RowActions
            name={admin.name}
            onEdit={() => dialogs.open(admin)}
            onDelete={
              self
                ? undefined
                : () =>
                    dialogs.askDelete({
                      what: `the admin "${admin.name}" (${admin.email})`,
                      detail: 'Their sessions and API tokens are deleted with them.',
                      run: () => deleteAdmin(admin.id),
                      afterwards: refresh,
                    })
            }
          >
            {!self && (
              <Button
                size="compact-sm"
                variant="subtle"
                onClick={() => toggle.mutate(admin)}
                loading={toggle.isPending && toggle.variables?.id === admin.id}
                aria-label={`${admin.disabled ? 'Enable' : 'Disable'} ${admin.name}`}
              >
                {admin.disabled ? 'Enable' : 'Disable'}
              </Button>
            )}
          </RowActions>
        );
      },
    },
  ];

  const scopeOptions = [
    ...(scopedTo === null ? [{ value: ALL, label: 'All customers' }] : []),
    ...(customers.data ?? []).map((c) => ({ value: String(c.id), label: c.name })),
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Admins"
        subtitle={
          admins.data
            ? `${plural(admins.data.length, 'admin')}${scopedTo === null ? '' : ` of ${customerName(scopedTo)}`}`
            : ' '
        }
        busy={admins.isFetching}
        action={<Button onClick={() => dialogs.open('new')}>New admin</Button>}
      />
      {admins.isError && <LoadError what="admins" error={admins.error} />}
      <DataTable
        data={admins.data}
        columns={columns}
        rowId={(a) => String(a.id)}
        empty="No admins."
        testId="admins-table"
        label="Admins"
        minWidth={900}
      />
      <FormModal
        {...dialogs.formModalProps}
        title={isNew ? 'New admin' : `Edit admin "${editing?.name ?? ''}"`}
        submitLabel={isNew ? 'Create admin' : 'Save'}
      >
        <Group grow align="flex-start">
          <TextInput label="Name" required data-autofocus {...textFieldProps(form, 'name')} />
          <TextInput
            label="Email"
            type="email"
            required
            description="They sign in with it."
            {...textFieldProps(form, 'email')}
          />
        </Group>
        <Select
          label="Role"
          required
          allowDeselect={false}
          data={Object.entries(ADMIN_ROLE_LABELS).map(([value, label]) => ({ value, label }))}
          value={form.values.role}
          onChange={(v) => v && form.set('role', v as AdminRole)}
          description={ROLE_HELP[form.values.role]}
          error={form.errors.role}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Customers"
          required
          allowDeselect={false}
          searchable
          data={scopeOptions}
          value={form.values.customerId}
          onChange={(v) => v && form.set('customerId', v)}
          description="An admin scoped to one customer sees and changes only that customer's users, contacts and imports."
          error={form.errors.customerId}
          nothingFoundMessage="No customer matches."
          comboboxProps={{ withinPortal: true }}
        />
        <PasswordInput
          label={isNew ? 'Initial password' : 'New password'}
          required={isNew}
          autoComplete="new-password"
          description={
            isNew
              ? 'At least 10 characters. Give it to them by a safe channel; they cannot see it here later.'
              : 'Leave empty to keep the current one. Setting one signs them out everywhere.'
          }
          {...textFieldProps(form, 'password')}
          // PasswordInput does not mark its input invalid itself; screen readers need it to.
          aria-invalid={form.errors.password ? true : undefined}
        />
      </FormModal>
      <ConfirmDelete {...dialogs.confirmDeleteProps} />
    </Stack>
  );
}
