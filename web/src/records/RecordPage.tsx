import {
  Alert,
  Anchor,
  Button,
  Group,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { useCan } from '../auth/session';
import { describeError } from '../lib/api';
import { ConfirmDelete, type DeleteTarget } from '../lib/ConfirmDelete';
import { formatDateTime } from '../lib/format';
import { fieldMessagesOf } from '../lib/forms';
import { LoadError } from '../lib/LoadError';
import { PageHeader } from '../manage/ui';
import { deleteRecord, getRecord, updateRecord } from './api';
import { KEY_LABEL, RECORD_FIELDS, RECORD_TYPE_SINGULAR } from './labels';
import type { RecordItem } from './types';

/** One record: its owner, customer and import, and its fields, edited in place by those who may. */
export function RecordPage() {
  const params = useParams<{ id: string }>();
  const id = Number(params.id);
  const record = useQuery({ queryKey: ['records', 'one', id], queryFn: () => getRecord(id) });
  if (record.isError) return <LoadError what="the record" error={record.error} />;
  if (!record.data) return <Text c="dimmed">Loading…</Text>;
  return <RecordForm record={record.data} />;
}

function valuesOf(record: RecordItem): Record<string, string> {
  const values: Record<string, string> = { key: record.key, customerRef: record.customerRef ?? '' };
  for (const f of RECORD_FIELDS[record.type]) values[`fields.${f.key}`] = record.fields[f.key] ?? '';
  return values;
}

function RecordForm({ record }: { record: RecordItem }) {
  const can = useCan();
  const canChange = can('users.manage');
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const [values, setValues] = useState(() => valuesOf(record));
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState<DeleteTarget | null>(null);
  useEffect(() => setValues(valuesOf(record)), [record]);
  const save = useMutation({
    mutationFn: () => {
      const fields: Record<string, string | null> = {};
      for (const f of RECORD_FIELDS[record.type]) {
        const v = values[`fields.${f.key}`] ?? '';
        fields[f.key] = v.trim() === '' ? null : v;
      }
      return updateRecord(record.id, {
        key: values.key ?? record.key,
        ...(record.type !== 'customers' && { customerRef: (values.customerRef ?? '').trim() || null }),
        fields,
      });
    },
    onSuccess: (next) => {
      setSaved(true);
      queryClient.setQueryData(['records', 'one', record.id], next);
      void queryClient.invalidateQueries({ queryKey: ['records'] });
    },
  });
  const messages = fieldMessagesOf(save.error);
  const set = (name: string) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setSaved(false);
    setValues((v) => ({ ...v, [name]: value }));
  };
  const input = (name: string, label: string, long = false) => {
    const props = {
      label,
      value: values[name] ?? '',
      onChange: set(name),
      error: messages.fields[name],
      readOnly: !canChange,
    };
    return long ? (
      <Textarea key={name} autosize minRows={2} {...props} />
    ) : (
      <TextInput key={name} {...props} />
    );
  };
  const attributes = Object.entries(record.attributes);
  return (
    <Stack gap="md" maw={900}>
      <PageHeader
        title={record.title}
        subtitle={`${RECORD_TYPE_SINGULAR[record.type]} · ${KEY_LABEL[record.type]} ${record.key}`}
        action={
          canChange && (
            <Button
              color="red"
              variant="light"
              onClick={() =>
                setDeleting({
                  what: `the ${RECORD_TYPE_SINGULAR[record.type].toLowerCase()} "${record.title}"`,
                  run: () => deleteRecord(record.id),
                  afterwards: () => {
                    void queryClient.invalidateQueries({ queryKey: ['records'] });
                    navigate('/records');
                  },
                })
              }
            >
              Delete
            </Button>
          )
        }
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <div>
          <Text size="sm" c="dimmed">
            Owner
          </Text>
          <Anchor component={Link} href={`/users/${record.owner.id}`}>
            {record.owner.displayName || record.owner.email}
          </Anchor>
          <Text size="sm">{record.owner.email}</Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            Customer
          </Text>
          <Anchor component={Link} href={`/customers/${record.customer.id}`}>
            {record.customer.name}
          </Anchor>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            Changed
          </Text>
          <Text size="sm">
            {formatDateTime(record.updatedAt)} (version {record.version})
          </Text>
          {record.importId !== null && (
            <Anchor component={Link} href={`/imports/${record.importId}`} size="sm">
              Import #{record.importId}
            </Anchor>
          )}
        </div>
      </SimpleGrid>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          <Title order={3} size="h4">
            Fields
          </Title>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            {input('key', KEY_LABEL[record.type])}
            {record.type !== 'customers' && input('customerRef', 'Customer number')}
            {RECORD_FIELDS[record.type].filter((f) => !f.long).map((f) => input(`fields.${f.key}`, f.label))}
          </SimpleGrid>
          {RECORD_FIELDS[record.type]
            .filter((f) => f.long)
            .map((f) => input(`fields.${f.key}`, f.label, true))}
          {attributes.length > 0 && (
            <Text size="sm">
              Attributes: {attributes.map(([k, v]) => `${k}: ${v === null ? '—' : String(v)}`).join(' · ')}
            </Text>
          )}
          {save.isError && messages.other.length + Object.keys(messages.fields).length === 0 && (
            <Alert color="red">{describeError(save.error)}</Alert>
          )}
          {messages.other.length > 0 && <Alert color="red">{messages.other.join(' ')}</Alert>}
          {saved && (
            <Alert color="green" role="status">
              Saved.
            </Alert>
          )}
          {canChange && (
            <Group>
              <Button type="submit" loading={save.isPending}>
                Save
              </Button>
            </Group>
          )}
        </Stack>
      </form>
      <ConfirmDelete target={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}
