import {
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Select,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useState } from 'react';
import { useCan } from '../auth/session';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { plural } from '../lib/format';
import { useFormState } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { createAttribute, deleteAttribute, listAttributes, updateAttribute } from './api';
import type { Attribute, AttributeType } from './types';
import { DataTable, FormModal, PageHeader, RowActions } from './ui';

const TYPE_LABELS: Record<AttributeType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date (YYYY-MM-DD)',
  boolean: 'Yes / no',
  enum: 'One of a list',
};

/** What an attribute extends: portal users, or one record type (a field of its import template). */
const ENTITY_LABELS: Record<Attribute['entityType'], string> = {
  user: 'Portal users',
  customers: 'Customers records',
  appointments: 'Appointments',
  tasks: 'Tasks',
  reports: 'Visit reports',
};

const EMPTY = {
  entityType: 'user' as Attribute['entityType'],
  key: '',
  label: '',
  type: 'text' as AttributeType,
  options: [] as string[],
  required: false,
  description: '',
};

/** Custom attributes: user fields that admins define; each is a column of the import template. */
export function AttributesPage() {
  const can = useCan();
  const canChange = can('config.manage');
  const queryClient = useQueryClient();
  const attributes = useQuery({ queryKey: ['attributes'], queryFn: listAttributes });
  const [editing, setEditing] = useState<Attribute | 'new' | null>(null);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  const form = useFormState(EMPTY);
  const isNew = editing === 'new';

  const open = (attribute: Attribute | 'new') => {
    form.reset(
      attribute === 'new'
        ? EMPTY
        : {
            entityType: attribute.entityType,
            key: attribute.key,
            label: attribute.label,
            type: attribute.type,
            options: attribute.options,
            required: attribute.required,
            description: attribute.description,
          },
    );
    setEditing(attribute);
  };
  const save = useMutation({
    mutationFn: () => {
      const { key, type, options, entityType, ...rest } = form.values;
      const withOptions = type === 'enum' ? { ...rest, options } : rest;
      return editing === 'new' || editing === null
        ? createAttribute({ key, type, entityType, ...withOptions })
        : updateAttribute(editing.id, withOptions);
    },
    onSuccess: (attribute) => {
      notifications.show({ color: 'green', message: `Attribute "${attribute.label}" saved.` });
      setEditing(null);
      return queryClient.invalidateQueries({ queryKey: ['attributes'] });
    },
    onError: form.fail,
  });

  const columns: ColumnDef<Attribute>[] = [
    {
      id: 'label',
      header: 'Label',
      cell: ({ row }) => (
        <div>
          <Text fw={500}>{row.original.label}</Text>
          <Code>{row.original.key}</Code>
        </div>
      ),
    },
    { id: 'entityType', header: 'Extends', cell: ({ row }) => ENTITY_LABELS[row.original.entityType] },
    { id: 'type', header: 'Type', cell: ({ row }) => TYPE_LABELS[row.original.type] },
    {
      id: 'options',
      header: 'Allowed values',
      cell: ({ row }) =>
        row.original.type !== 'enum' ? (
          <Text c="dimmed" size="sm">
            Any
          </Text>
        ) : (
          <Group gap={4}>
            {row.original.options.map((o) => (
              <Badge key={o} variant="outline" size="sm" tt="none">
                {o}
              </Badge>
            ))}
          </Group>
        ),
    },
    {
      id: 'required',
      header: 'Required',
      cell: ({ row }) => (row.original.required ? 'Required' : 'Optional'),
    },
    {
      id: 'actions',
      header: '',
      cell: ({ row }) =>
        canChange && (
          <RowActions
            name={row.original.label}
            onEdit={() => open(row.original)}
            onDelete={() =>
              setDeleting({
                what: `the attribute "${row.original.label}"`,
                detail: (
                  <Text size="sm" c="dimmed">
                    Imports and templates stop offering it; values already stored on users are kept.
                  </Text>
                ),
                run: () => deleteAttribute(row.original.id),
                afterwards: () => queryClient.invalidateQueries({ queryKey: ['attributes'] }),
              })
            }
          />
        ),
    },
  ];

  return (
    <Stack gap="md">
      <PageHeader
        title="Custom attributes"
        subtitle={
          attributes.data
            ? `${plural(attributes.data.length, 'attribute')}. Each is a column of the user import template.`
            : ' '
        }
        busy={attributes.isFetching}
        action={canChange && <Button onClick={() => open('new')}>New attribute</Button>}
      />
      {attributes.isError && <LoadError what="attributes" error={attributes.error} />}
      <DataTable
        data={attributes.data}
        columns={columns}
        rowId={(a) => String(a.id)}
        empty="No custom attributes yet."
        testId="attributes-table"
        label="Custom attributes"
      />
      <FormModal
        opened={editing !== null}
        title={isNew ? 'New attribute' : `Edit attribute "${editing?.label ?? ''}"`}
        onClose={() => setEditing(null)}
        onSubmit={() => save.mutate()}
        pending={save.isPending}
        formError={form.formError}
      >
        <TextInput
          label="Key"
          description={
            isNew
              ? 'The column name in files and the API: lower-case letters, digits and underscores, starting with a letter. It cannot change later.'
              : 'The key cannot change.'
          }
          required
          data-autofocus={isNew || undefined}
          disabled={!isNew}
          value={form.values.key}
          onChange={(e) => form.set('key', e.currentTarget.value)}
          error={form.errors.key}
        />
        <TextInput
          label="Label"
          description="The name people see."
          required
          data-autofocus={!isNew || undefined}
          value={form.values.label}
          onChange={(e) => form.set('label', e.currentTarget.value)}
          error={form.errors.label}
        />
        <Select
          label="Extends"
          description={
            isNew ? 'Portal users, or a record type: a column of its import template.' : 'This cannot change.'
          }
          disabled={!isNew}
          allowDeselect={false}
          data={Object.entries(ENTITY_LABELS).map(([value, label]) => ({ value, label }))}
          value={form.values.entityType}
          onChange={(v) => v && form.set('entityType', v as Attribute['entityType'])}
          error={form.errors.entityType}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Type"
          description={isNew ? 'How values are read and checked.' : 'The type cannot change.'}
          disabled={!isNew}
          allowDeselect={false}
          data={Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label }))}
          value={form.values.type}
          onChange={(v) => v && form.set('type', v as AttributeType)}
          error={form.errors.type}
          comboboxProps={{ withinPortal: true }}
        />
        {form.values.type === 'enum' && (
          <TagsInput
            label="Allowed values"
            description="Type a value and press Enter. Imports accept only these."
            required
            value={form.values.options}
            onChange={(v) => form.set('options', v)}
            error={form.errors.options}
            clearable
          />
        )}
        <Checkbox
          label="Required: every user must have a value"
          checked={form.values.required}
          onChange={(e) => form.set('required', e.currentTarget.checked)}
          error={form.errors.required}
        />
        <Textarea
          label="Description"
          description="Explains the field to whoever fills in the import template."
          autosize
          minRows={2}
          value={form.values.description}
          onChange={(e) => form.set('description', e.currentTarget.value)}
          error={form.errors.description}
        />
      </FormModal>
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
