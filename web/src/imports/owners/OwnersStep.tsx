import {
  Alert,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../../lib/api';
import { formatNumber, plural } from '../../lib/format';
import { usePhone } from '../../lib/responsive';
import type { Import } from '../types';
import { setExcluded } from './api';
import { OwnerStateBadge, useOwners } from './shared';
import type { GroupedBy, ImportOwner, OwnersPage, UnmatchedOwner } from './types';
import { isOpen } from './types';

function Count({ n, bad }: { n: number; bad?: boolean }) {
  return (
    <Text span size="sm" c={bad && n > 0 ? 'red' : undefined} fw={bad && n > 0 ? 600 : undefined}>
      {formatNumber(n)}
    </Text>
  );
}

/** The Import box of one owner: only an owner still to be committed can be left out or taken back. */
function ImportBox({
  owner,
  disabled,
  onChange,
}: {
  owner: ImportOwner;
  disabled: boolean;
  onChange: (included: boolean) => void;
}) {
  return (
    <Checkbox
      checked={owner.included}
      disabled={disabled || owner.state !== 'pending'}
      onChange={(e) => onChange(e.currentTarget.checked)}
      aria-label={`Import ${owner.name}`}
    />
  );
}

function OwnerCard({
  owner,
  showState,
  children,
}: {
  owner: ImportOwner;
  showState: boolean;
  children: React.ReactNode;
}) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid="owner-row" data-owner={owner.userId}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Text fw={600}>{owner.name}</Text>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {owner.email}
          </Text>
          {owner.employeeNumber && (
            <Text size="sm" c="dimmed">
              Employee number {owner.employeeNumber}
            </Text>
          )}
        </div>
        {children}
      </Group>
      <Group gap="md" mt={6}>
        <Text size="sm">
          {plural(owner.rows, 'row')} · {formatNumber(owner.valid)} valid · <Count n={owner.invalid} bad />{' '}
          with errors
        </Text>
        {showState && <OwnerStateBadge owner={owner} />}
      </Group>
    </Paper>
  );
}

function Unmatched({ items, rows, noun }: { items: UnmatchedOwner[]; rows: number; noun: string }) {
  const phone = usePhone();
  if (rows === 0) return null;
  return (
    <Stack gap="xs" data-testid="unmatched-owners">
      <Title order={4}>
        {plural(rows, 'row')} whose owner matches no {noun}
      </Title>
      <Text size="sm">
        These rows are not imported. Check the spelling in the file, or the {noun}'s email or employee number
        in Roster, then upload the file again.
      </Text>
      {phone ? (
        <Stack gap="xs">
          {items.map((u) => (
            <Paper key={u.value} withBorder p="sm" radius="md">
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {u.value || '(empty owner cell)'}
              </Text>
              <Text size="sm">
                {plural(u.rows, 'row')}, first row {formatNumber(u.firstRow)}
              </Text>
              <Text size="sm" c="dimmed">
                {u.hint}
              </Text>
            </Paper>
          ))}
        </Stack>
      ) : (
        <Table verticalSpacing="xs" striped aria-label="Owner values that match no user">
          <Table.Thead>
            <Table.Tr>
              <Table.Th miw={200}>Value in the file</Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                Rows
              </Table.Th>
              <Table.Th ta="right" style={{ whiteSpace: 'nowrap' }}>
                First row
              </Table.Th>
              <Table.Th>Hint</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((u) => (
              <Table.Tr key={u.value}>
                <Table.Td fw={500} style={{ overflowWrap: 'anywhere' }}>
                  {u.value || '(empty owner cell)'}
                </Table.Td>
                <Table.Td ta="right">{formatNumber(u.rows)}</Table.Td>
                <Table.Td ta="right">{formatNumber(u.firstRow)}</Table.Td>
                <Table.Td>{u.hint}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

/**
 * User selection: every owner the file names, with their rows, and an Import box each (on by
 * default); the owner values that match nobody, with a hint. A file that matches nobody says so and
 * goes no further.
 */
export function OwnersStep({
  view,
  groupedBy,
  canRun,
  onBack,
  onNext,
}: {
  view: Import;
  groupedBy: GroupedBy;
  canRun: boolean;
  /** To the options; absent once an owner was committed or skipped. */
  onBack: (() => void) | null;
  onNext: () => void;
}) {
  const queryClient = useQueryClient();
  const phone = usePhone();
  const noun = groupedBy.noun;
  const owners = useOwners(view.id, view.updatedAt);
  const key = ['import-owners', view.id, view.updatedAt];
  // Boxes clicked whose change the server has not answered yet: they show the click at once.
  const [clicked, setClicked] = useState<Record<number, boolean>>({});
  const change = useMutation({
    mutationFn: (excluded: number[]) => setExcluded(view.id, excluded),
    onSuccess: (page) => {
      queryClient.setQueryData(key, page);
      queryClient.invalidateQueries({ queryKey: ['import', view.id] });
    },
    onSettled: () => setClicked({}),
  });
  const toggle = (page: OwnersPage, owner: ImportOwner, included: boolean) => {
    setClicked((c) => ({ ...c, [owner.userId]: included }));
    const excluded = page.owners
      .filter((o) => (o.userId === owner.userId ? !included : !(clicked[o.userId] ?? o.included)))
      .map((o) => o.userId);
    change.mutate(excluded);
  };

  if (owners.isError)
    return (
      <Alert color="red" title={`Could not load the ${noun}s of this import`} role="alert">
        {describeError(owners.error)}
      </Alert>
    );
  const page = owners.data;
  if (!page) return <Loader />;

  const list = page.owners.map((o) =>
    o.userId in clicked ? { ...o, included: clicked[o.userId] === true } : o,
  );
  const open = list.filter(isOpen);
  const showState = list.some((o) => o.state !== 'pending');
  const included = list.filter((o) => o.included);
  const noneMatched = list.length === 0;
  const validRows = included.reduce((n, o) => n + o.valid, 0);

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Title order={3}>Choose the {noun}s to import</Title>
        {noneMatched ? (
          <Alert color="red" title={`No row matches any ${noun}`} role="alert" data-testid="no-owner-matched">
            None of the {plural(view.rows.total, 'row')} names a {noun} you can import for, so nothing can be
            imported. Check that the owner column holds the {noun}s' emails or employee numbers (the options
            step says which), and that they are spelled as in Roster.
          </Alert>
        ) : (
          <Text size="sm" data-testid="owners-summary">
            The file names {plural(list.length, noun)}. Rows are imported for {plural(included.length, noun)}{' '}
            with the Import box on; you preview them one by one next.
          </Text>
        )}
        {!noneMatched && (
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
            <Text size="sm">
              <b>{formatNumber(included.length)}</b> of {plural(list.length, noun)} to import
            </Text>
            <Text size="sm">
              <b>{formatNumber(validRows)}</b> valid {validRows === 1 ? 'row' : 'rows'} among them
            </Text>
            <Text size="sm">
              <b>{formatNumber(page.unmatchedRows)}</b> {page.unmatchedRows === 1 ? 'row' : 'rows'} with an
              unknown owner
            </Text>
          </SimpleGrid>
        )}
        {list.length > 0 &&
          (phone ? (
            <Stack gap="xs" data-testid="owners-table">
              {list.map((o) => (
                <OwnerCard key={o.userId} owner={o} showState={showState}>
                  <ImportBox
                    owner={o}
                    disabled={!canRun || change.isPending}
                    onChange={(on) => toggle(page, o, on)}
                  />
                </OwnerCard>
              ))}
            </Stack>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table
                striped
                verticalSpacing="xs"
                data-testid="owners-table"
                aria-label={`${noun}s in the file`}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={70}>Import</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Employee number</Table.Th>
                    <Table.Th ta="right">Rows</Table.Th>
                    <Table.Th ta="right">Valid</Table.Th>
                    <Table.Th ta="right">Invalid</Table.Th>
                    {showState && <Table.Th>Status</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((o) => (
                    <Table.Tr key={o.userId} data-testid="owner-row" data-owner={o.userId}>
                      <Table.Td>
                        <ImportBox
                          owner={o}
                          disabled={!canRun || change.isPending}
                          onChange={(on) => toggle(page, o, on)}
                        />
                      </Table.Td>
                      <Table.Td fw={500}>{o.name}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{o.email}</Table.Td>
                      <Table.Td>{o.employeeNumber ?? '—'}</Table.Td>
                      <Table.Td ta="right">{formatNumber(o.rows)}</Table.Td>
                      <Table.Td ta="right">{formatNumber(o.valid)}</Table.Td>
                      <Table.Td ta="right">
                        <Count n={o.invalid} bad />
                      </Table.Td>
                      {showState && (
                        <Table.Td>
                          <OwnerStateBadge owner={o} />
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          ))}
        <Unmatched items={page.unmatched} rows={page.unmatchedRows} noun={noun} />
        {change.isError && (
          <Alert color="red" title="The selection was not changed" role="alert">
            {describeError(change.error)}
          </Alert>
        )}
        <Group justify="space-between">
          {onBack ? (
            <Button variant="default" onClick={onBack}>
              Back
            </Button>
          ) : (
            <span />
          )}
          <Button onClick={onNext} disabled={open.length === 0 || change.isPending}>
            Next: preview
          </Button>
        </Group>
        {!noneMatched && open.length === 0 && (
          <Text size="sm" c="dimmed">
            No {noun} is left to preview: turn the Import box on for one to go on.
          </Text>
        )}
      </Stack>
    </Card>
  );
}
