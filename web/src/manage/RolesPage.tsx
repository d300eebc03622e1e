import { Badge, Button, Stack, Switch, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useCan } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDate, plural } from '../lib/format';
import { useFormState } from '../lib/forms';
import { createRole, deleteRole, listRoles, updateRole } from './api';
import type { Role } from './types';
import { DataTable, FormModal, LoadError, PageHeader, RowActions } from './ui';

const EMPTY = { name: '', description: '', active: true };

/** Portal roles: names matched case-sensitively by imports; inactive roles are refused there. */
export function RolesPage() {
  const can = useCan();
  const canChange = can('config.manage');
  const queryClient = useQueryClient();
  const roles = useQuery({ queryKey: ['roles'], queryFn: listRoles });
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const form = useFormState(EMPTY);

  const open = (role: Role | 'new') => {
    form.reset(
      role === 'new' ? EMPTY : { name: role.name, description: role.description, active: role.active },
    );
    setEditing(role);
  };
  const save = useMutation({
    mutationFn: () =>
      editing === 'new' || editing === null ? createRole(form.values) : updateRole(editing.id, form.values),
    onSuccess: (role) => {
      notifications.show({ color: 'green', message: `Role "${role.name}" saved.` });
      setEditing(null);
      return queryClient.invalidateQueries({ queryKey: ['roles'] });
    },
    onError: form.fail,
  });

  const columns: ColumnDef<Role>[] = [
    { id: 'name', header: 'Name', cell: ({ row }) => <Text fw={500}>{row.original.name}</Text> },
    { id: 'description', header: 'Description', accessorKey: 'description' },
    {
      id: 'active',
      header: 'Status',
      cell: ({ row }) =>
        row.original.active ? (
          <Badge color="green" variant="light">
            Active
          </Badge>
        ) : (
          <Badge color="gray" variant="light">
            Inactive
          </Badge>
        ),
    },
    { id: 'created', header: 'Created', cell: ({ row }) => formatDate(row.original.createdAt) },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) =>
        canChange && (
          <RowActions
            name={row.original.name}
            onEdit={() => open(row.original)}
            onDelete={() =>
              setDeleting({
                what: `the role "${row.original.name}"`,
                run: () => deleteRole(row.original.id),
                afterwards: () => queryClient.invalidateQueries({ queryKey: ['roles'] }),
              })
            }
          />
        ),
    },
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
        action={canChange && <Button onClick={() => open('new')}>New role</Button>}
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
        opened={editing !== null}
        title={editing === 'new' ? 'New role' : `Edit role "${editing?.name ?? ''}"`}
        onClose={() => setEditing(null)}
        onSubmit={() => save.mutate()}
        pending={save.isPending}
        formError={form.formError}
      >
        <TextInput
          label="Name"
          description="Case-sensitive: imports match it exactly."
          required
          data-autofocus
          value={form.values.name}
          onChange={(e) => form.set('name', e.currentTarget.value)}
          error={form.errors.name}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={form.values.description}
          onChange={(e) => form.set('description', e.currentTarget.value)}
          error={form.errors.description}
        />
        <Switch
          label="Active"
          description="Inactive roles stay on the users who hold them but cannot be given by an import."
          checked={form.values.active}
          onChange={(e) => form.set('active', e.currentTarget.checked)}
          error={form.errors.active}
        />
      </FormModal>
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
