import { Button, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useCan } from '../auth/session';
import { ConfirmDelete } from '../lib/ConfirmDelete';
import { plural } from '../lib/format';
import { textFieldProps } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createRole, deleteRole, listRoles, updateRole } from './api';
import { useEditDialogs } from './edit-dialogs';
import type { Role } from './types';
import { createdColumn, DataTable, editDeleteColumn, FormModal, OnOffBadge, PageHeader } from './ui';

const EMPTY = { name: '', description: '', active: true };

/** Portal roles: names matched case-sensitively by imports; inactive roles are refused there. */
export function RolesPage() {
  const can = useCan();
  const canChange = can('config.manage');
  const roles = useQuery({ queryKey: ['roles'], queryFn: listRoles });
  const dialogs = useEditDialogs({
    valuesOf: (role: Role | 'new') =>
      role === 'new' ? EMPTY : { name: role.name, description: role.description, active: role.active },
    save: (values, role) => (role === null ? createRole(values) : updateRole(role.id, values)),
    savedMessage: (role) => `Role "${role.name}" saved.`,
    listKey: ['roles'],
  });
  const { form, editing } = dialogs;

  const columns: ColumnDef<Role>[] = [
    { id: 'name', header: 'Name', cell: ({ row }) => <Text fw={500}>{row.original.name}</Text> },
    { id: 'description', header: 'Description', accessorKey: 'description' },
    {
      id: 'active',
      header: 'Status',
      cell: ({ row }) => (
        <OnOffBadge on={row.original.active} onLabel="Active" offLabel="Inactive" offColor="gray" />
      ),
    },
    createdColumn(),
    editDeleteColumn({
      show: canChange,
      name: (role) => role.name,
      onEdit: dialogs.open,
      onDelete: dialogs.askDelete,
      deleteTarget: (role) => ({
        what: `the role "${role.name}"`,
        run: () => deleteRole(role.id),
        afterwards: dialogs.refresh,
      }),
    }),
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Portal roles"
        subtitle={
          roles.data
            ? `${plural(roles.data.length, 'role')}. Imports match role names exactly, including case.`
            : ' '
        }
        busy={roles.isFetching}
        action={canChange && <Button onClick={() => dialogs.open('new')}>New role</Button>}
      />
      {roles.isError && <LoadError what="roles" error={roles.error} />}
      <DataTable
        data={roles.data}
        columns={columns}
        rowId={(r) => String(r.id)}
        empty="No portal roles yet."
        testId="roles-table"
        label="Portal roles"
      />
      <FormModal
        {...dialogs.formModalProps}
        title={editing === 'new' ? 'New role' : `Edit role "${editing?.name ?? ''}"`}
      >
        <TextInput
          label="Name"
          description="Case-sensitive: imports match it exactly."
          required
          data-autofocus
          {...textFieldProps(form, 'name')}
        />
        <Textarea label="Description" autosize minRows={2} {...textFieldProps(form, 'description')} />
        <Switch
          label="Active"
          description="Inactive roles stay on the users who hold them but cannot be given by an import."
          checked={form.values.active}
          onChange={(e) => form.set('active', e.currentTarget.checked)}
          error={form.errors.active}
        />
      </FormModal>
      <ConfirmDelete {...dialogs.confirmDeleteProps} />
    </Stack>
  );
}
