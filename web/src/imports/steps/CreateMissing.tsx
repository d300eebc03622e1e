import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useCan } from '../../auth/session';
import { describeError } from '../../lib/api';
import { plural } from '../../lib/format';
import { createMissing, listCustomers } from '../api';
import type { Import, MissingInput, RowProblem } from '../types';
import { IssueButton } from './ReviewIssues';

/**
 * "Create what is missing" in the review: beside a problem naming a site, portal role or group that
 * does not exist, and for a column no field takes (a custom attribute, then mapped to it). Each
 * asks for a confirmation; the server creates it, checks the rows concerned again and keeps it in
 * the import's fix history.
 */
type Kind = 'site' | 'role' | 'group';

/** The problems that name a missing thing, and who may create it (the permission of its own page). */
const MISSING: Record<
  string,
  { kind: Kind; words: string; permission: 'customers.manage' | 'config.manage' }
> = {
  'site.not_found': { kind: 'site', words: 'site', permission: 'customers.manage' },
  'role.unknown': { kind: 'role', words: 'portal role', permission: 'config.manage' },
  'group.unknown': { kind: 'group', words: 'group', permission: 'config.manage' },
};

function useCreateMissing(view: Import, onDone: (message: string) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: MissingInput) => createMissing(view.id, input),
    onSuccess: (answer) => {
      queryClient.setQueryData(['import', view.id], answer.import);
      for (const key of ['import-rows', 'import-fixes', 'import-invalid-values'])
        queryClient.invalidateQueries({ queryKey: [key, view.id] });
      // A new attribute is a new field of the target: its label shows in the mapping.
      queryClient.invalidateQueries({ queryKey: ['import-targets'] });
      onDone(
        `Created. ${plural(answer.fix.rowsChanged, 'row')} checked again; ${plural(answer.import.rows.invalid, 'row')} with errors left.`,
      );
    },
  });
}

export interface MissingThing {
  kind: Kind;
  words: string;
  column: string;
  name: string;
}

/** What a problem names that could be created by this admin, or null. */
export function useMissingOf(): (p: RowProblem) => MissingThing | null {
  const can = useCan();
  return (p) => {
    const found = MISSING[p.code];
    if (!found || !can(found.permission) || p.column === null || !p.value?.trim()) return null;
    return { kind: found.kind, words: found.words, column: p.column, name: p.value.trim() };
  };
}

/** The button beside a problem. */
export function CreateMissingButton({ thing, onClick }: { thing: MissingThing; onClick: () => void }) {
  return (
    <IssueButton
      label={`Create ${thing.words} "${thing.name}"`}
      title={`Create ${thing.words} "${thing.name}"…`}
      onClick={onClick}
    />
  );
}

/** The confirmation of a site, role or group to create. */
export function CreateMissingDialog({
  view,
  thing,
  onClose,
  onDone,
}: {
  view: Import;
  thing: MissingThing;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const customers = useQuery({ queryKey: ['customers', 'all'], queryFn: listCustomers, staleTime: 60_000 });
  const customerName = customers.data?.find((c) => c.id === view.customerId)?.name ?? null;
  const create = useCreateMissing(view, (message) => {
    onDone(message);
    onClose();
  });
  const where = thing.kind === 'site' && customerName ? ` for ${customerName}` : '';
  return (
    <Modal opened onClose={onClose} title={`Create ${thing.words} "${thing.name}"`}>
      <Stack gap="md">
        <Text size="sm">
          Create the {thing.words} "{thing.name}"{where}? It is created at once, for everyone (not only this
          import), and the rows with a problem in {thing.column} are checked again.
        </Text>
        {create.isError && (
          <Alert color="red" role="alert" title="Nothing was created">
            {describeError(create.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={create.isPending}
            onClick={() => create.mutate({ kind: thing.kind, column: thing.column, name: thing.name })}
          >
            Create {thing.words}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** An attribute key from a header: "Badge number" → "badge_number". */
function keyOf(header: string): string {
  const key = header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '');
  return key.slice(0, 63);
}

/** The unmapped columns, each with "Create attribute…", for admins who may create attributes. */
export function UnmappedColumns({ view, onDone }: { view: Import; onDone: (message: string) => void }) {
  const can = useCan();
  const [column, setColumn] = useState<{ index: number; header: string } | null>(null);
  const unmapped = view.mapping.columns.filter((c) => c.field === null && c.header.trim() !== '');
  if (!can('config.manage') || unmapped.length === 0) return null;
  return (
    <Group gap="xs" data-testid="unmapped-columns">
      <Text size="sm">Columns not imported:</Text>
      {unmapped.map((c) => (
        <IssueButton
          key={c.index}
          label={`Create attribute for "${c.header}"`}
          title={`Create attribute for "${c.header}"…`}
          onClick={() => setColumn(c)}
        />
      ))}
      {column !== null && (
        <CreateAttributeDialog view={view} column={column} onClose={() => setColumn(null)} onDone={onDone} />
      )}
    </Group>
  );
}

function CreateAttributeDialog({
  view,
  column,
  onClose,
  onDone,
}: {
  view: Import;
  column: { index: number; header: string };
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const [label, setLabel] = useState(column.header);
  const [key, setKey] = useState(keyOf(column.header));
  const [type, setType] = useState<'text' | 'number' | 'date' | 'boolean'>('text');
  const create = useCreateMissing(view, (message) => {
    onDone(message);
    onClose();
  });
  return (
    <Modal opened onClose={onClose} title={`Create attribute for "${column.header}"`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ kind: 'attribute', column: String(column.index), key, label, type });
        }}
      >
        <Stack gap="md">
          <Text size="sm">
            A custom attribute is created for every user, the column "{column.header}" is imported into it,
            and every row is checked again.
          </Text>
          <TextInput label="Label" value={label} onChange={(e) => setLabel(e.currentTarget.value)} required />
          <TextInput
            label="Key"
            description="Lower-case letters, digits and underscores, starting with a letter"
            value={key}
            onChange={(e) => setKey(e.currentTarget.value)}
            required
          />
          <Select
            label="Type"
            data={[
              { value: 'text', label: 'Text' },
              { value: 'number', label: 'Number' },
              { value: 'date', label: 'Date' },
              { value: 'boolean', label: 'Yes / no' },
            ]}
            value={type}
            onChange={(v) => v && setType(v as typeof type)}
            allowDeselect={false}
          />
          {create.isError && (
            <Alert color="red" role="alert" title="Nothing was created">
              {describeError(create.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create attribute
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
