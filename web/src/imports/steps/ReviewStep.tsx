import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  NumberInput,
  Pagination,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { describeError } from '../../lib/api';
import { ChangesCell } from '../../lib/Changes';
import { formatNumber, plural } from '../../lib/format';
import { usePhone } from '../../lib/responsive';
import { commitImport, fixRow, listRows, listTargets } from '../api';
import { CustomerFix } from '../options/CustomerChoice';
import { isPartlyCommitted } from '../owners/types';
import { problemLabel } from '../problem-labels';
import type { Import, RowFilter, RowProblem, RowsPage, StagedRow } from '../types';
import { CommitButton } from './CommitButton';
import {
  CreateMissingButton,
  CreateMissingDialog,
  type MissingThing,
  UnmappedColumns,
  useMissingOf,
} from './CreateMissing';
import { FixHistory, FixToolbar, useBulkFix } from './ReviewFixes';
import { IssueButton, IssuesCell } from './ReviewIssues';
import classes from './ReviewStep.module.css';
import { hasUpdates, PlannedCounts } from './RowChanges';

const PAGE_SIZE = 50;
/** Widths of the pinned columns (row number, status), so that each sticks where the one before ends. */
const ROW_WIDTH = 64;
const STATUS_WIDTH = 110;
const KEY_WIDTH = 220;

/**
 * The file columns the table shows, in file order: the ones imported (ignored ones only when asked),
 * with the target's key column first, pinned beside the row number and status.
 */
function reviewColumns(view: Import, keyField: string | undefined, showIgnored: boolean) {
  const mapped = (i: number) => (view.mapping.columns[i]?.field ?? null) !== null;
  const key = keyField ? view.mapping.columns.findIndex((c) => c.field === keyField) : -1;
  const rest = view.header.map((_, i) => i).filter((i) => i !== key && (showIgnored || mapped(i)));
  const ignored = view.header.filter((_, i) => !mapped(i)).length;
  return { key: key >= 0 ? key : null, rest, ignored };
}

/** The problems of a row, by file column index; those not tied to a column under -1. */
function problemsByColumn(row: StagedRow, header: readonly string[]): Map<number, RowProblem[]> {
  const byColumn = new Map<number, RowProblem[]>();
  for (const p of row.problems) {
    const index = p.column === null ? -1 : header.indexOf(p.column);
    byColumn.set(index, [...(byColumn.get(index) ?? []), p]);
  }
  return byColumn;
}

function ProblemIcon({ problems, label }: { problems: RowProblem[]; label: string }) {
  const error = problems.some((p) => p.severity === 'error');
  const message = problems.map((p) => p.message).join(' ');
  return (
    <Tooltip label={message} multiline maw={320} withArrow events={{ hover: true, focus: true, touch: true }}>
      <ActionIcon
        size="sm"
        radius="xl"
        variant="filled"
        color={error ? 'red' : 'yellow'}
        aria-label={`${label}: ${message}`}
        data-testid={error ? 'cell-error' : 'cell-warning'}
        data-code={problems.map((p) => p.code).join(' ')}
      >
        <span aria-hidden="true">!</span>
      </ActionIcon>
    </Tooltip>
  );
}

/** One cell: its text, an icon for each problem, and (before the commit) a fix in place. */
function Cell({
  value,
  problems,
  columnName,
  rowNumber,
  editable,
  saving,
  onSave,
}: {
  value: string;
  problems: RowProblem[] | undefined;
  columnName: string;
  rowNumber: number;
  editable: boolean;
  saving: boolean;
  onSave: (next: string) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  // Enter, Escape and leaving the field each end the edit; only the first of them counts.
  const ended = useRef(false);
  // After Enter or Escape the keyboard goes on from the cell, not from the top of the page.
  const refocus = useRef(false);
  const cellButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (editing === null && refocus.current) {
      refocus.current = false;
      cellButton.current?.focus();
    }
  }, [editing]);
  const begin = () => {
    ended.current = false;
    setEditing(value);
  };
  const end = (save: boolean, byKey: boolean) => {
    if (ended.current || editing === null) return;
    ended.current = true;
    refocus.current = byKey;
    if (save) onSave(editing);
    setEditing(null);
  };
  const label = `Row ${rowNumber}, ${columnName}`;
  if (editing !== null) {
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          end(true, true);
        }}
      >
        <TextInput
          size="xs"
          aria-label={`New value for ${label}`}
          value={editing}
          onChange={(e) => setEditing(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') end(false, true);
          }}
          // Leaving the cell keeps what was typed, as in a spreadsheet.
          onBlur={() => end(true, false)}
          autoFocus
          miw={160}
        />
      </form>
    );
  }
  const text = value === '' ? <span className={classes.empty}>empty</span> : value;
  return (
    <Group gap={6} wrap="nowrap" className={problems ? classes.badCell : undefined}>
      {problems && <ProblemIcon problems={problems} label={label} />}
      {editable ? (
        <UnstyledButton
          ref={cellButton}
          className={classes.editable}
          // aria-disabled rather than disabled while a fix saves: a disabled button would drop the focus.
          onClick={saving ? undefined : begin}
          aria-label={`Edit ${label}: ${value || 'empty'}`}
          title="Edit this cell"
          aria-disabled={saving || undefined}
        >
          {text}
        </UnstyledButton>
      ) : (
        <span>{text}</span>
      )}
    </Group>
  );
}

/** A valid row's planned action; an update that changes nothing says so. */
const actionLabel = (row: StagedRow) =>
  row.action === 'update' && row.changes?.length === 0 ? 'unchanged' : (row.action ?? 'valid');

/** The rows of one owner, for the preview of a file whose rows each belong to an owner. */
export interface OwnerScope {
  userId: number;
  rows: number;
  valid: number;
  invalid: number;
}

/**
 * Step 6: every staged row, paged on the server. Filters by validity and by problem code, a fix in
 * place re-validates the row at once, and "Next error" finds the next bad row on any page.
 * With `owner`, only that owner's rows (an owner's preview), under `heading`, with `footer`'s
 * actions instead of Back and Commit.
 */
export function ReviewStep({
  view,
  canRun,
  onBack,
  owner,
  heading,
  footer,
}: {
  view: Import;
  canRun: boolean;
  onBack: () => void;
  owner?: OwnerScope;
  heading?: ReactNode;
  footer?: ReactNode;
}) {
  const queryClient = useQueryClient();
  const ownerId = owner?.userId;
  const counts = owner ? { total: owner.rows, valid: owner.valid, invalid: owner.invalid } : view.rows;
  const [filter, setFilter] = useState<RowFilter>('all');
  const [code, setCode] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const phone = usePhone();
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');
  const [showIgnored, setShowIgnored] = useState(false);
  // An owner's rows stay fixable while other owners are still to be committed.
  const editable = canRun && (view.status === 'validated' || isPartlyCommitted(view));
  const targets = useQuery({ queryKey: ['import-targets'], queryFn: listTargets, staleTime: 60_000 });
  const target = targets.data?.find((t) => t.name === view.target);
  const keyField = target?.keyField;
  const columns = reviewColumns(view, keyField, showIgnored);

  const rowsKey = ['import-rows', view.id, filter, code, page, ownerId ?? null] as const;
  const rows = useQuery({
    queryKey: rowsKey,
    queryFn: () =>
      listRows(view.id, { filter, code, offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE, owner: ownerId }),
    placeholderData: keepPreviousData,
  });

  // After a jump, bring the row into view and put the keyboard on it.
  useEffect(() => {
    if (focusRow === null || rows.isPlaceholderData) return;
    const el = document.getElementById(`import-row-${focusRow}`);
    el?.scrollIntoView({ block: 'center' });
    el?.focus({ preventScroll: true });
    // The bad cell may be off to the side: bring it in view too (the pinned columns stay).
    const bad = el?.querySelector<HTMLElement>('[data-testid="cell-error"]');
    bad?.closest('td')?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [focusRow, rows.isPlaceholderData]);

  const fix = useMutation({
    mutationFn: (v: { row: number; column: number; value: string }) =>
      fixRow(view.id, v.row, { [String(v.column)]: v.value }),
    onSuccess: (answer, v) => {
      queryClient.setQueryData(['import', view.id], answer.import);
      queryClient.invalidateQueries({ queryKey: ['import-owners', view.id] });
      // The fixed row stays where it is, with its new verdict, even if it no longer passes the filter.
      queryClient.setQueryData<RowsPage>(rowsKey, (current) =>
        current
          ? {
              ...current,
              items: current.items.map((r) => answer.rows.find((n) => n.row === r.row) ?? r),
            }
          : current,
      );
      const fixed = answer.rows.find((r) => r.row === v.row);
      setAnnounce(
        fixed?.valid
          ? `Row ${v.row} is now valid.`
          : `Row ${v.row} still has a problem: ${fixed?.problems[0]?.message ?? ''}`,
      );
    },
    onError: (e) =>
      notifications.show({ color: 'red', title: 'The cell was not changed', message: describeError(e) }),
  });

  const nextError = useMutation({
    mutationFn: async () => {
      const within = code ? { filter: 'all' as const, code } : { filter: 'invalid' as const };
      const from = focusRow ?? (rows.data?.items[0]?.row ?? 1) - 1;
      let found = (await listRows(view.id, { ...within, after: from, limit: 1, owner: ownerId })).items[0];
      // Past the last one: start again from the top.
      if (!found)
        found = (await listRows(view.id, { ...within, after: 0, limit: 1, owner: ownerId })).items[0];
      if (!found) return null;
      const shown = filter === 'valid' ? 'all' : filter;
      const position = await listRows(view.id, {
        filter: shown,
        code,
        after: found.row - 1,
        limit: 1,
        owner: ownerId,
      });
      return { row: found.row, filter: shown, page: Math.floor(position.offset / PAGE_SIZE) + 1 };
    },
    onSuccess: (jump) => {
      if (!jump) {
        setAnnounce('No row has an error.');
        notifications.show({ message: 'No row has an error.' });
        return;
      }
      setFilter(jump.filter);
      setPage(jump.page);
      setFocusRow(jump.row);
      setAnnounce(`Row ${jump.row}, page ${jump.page}.`);
    },
    onError: (e) => notifications.show({ color: 'red', message: describeError(e) }),
  });

  const bulk = useBulkFix(view, setAnnounce);
  useEffect(() => {
    if (bulk.isError)
      notifications.show({ color: 'red', title: 'Nothing was changed', message: describeError(bulk.error) });
  }, [bulk.isError, bulk.error]);
  const missingOf = useMissingOf();
  const [creating, setCreating] = useState<MissingThing | null>(null);
  /**
   * Beside a problem with a suggestion: apply it here, or to every cell of the column holding the
   * same value; beside one naming a missing site, role or group: create it.
   */
  const suggestionActions = (row: StagedRow) => (p: RowProblem) => {
    if (!editable) return null;
    const missing = missingOf(p);
    const create = missing && <CreateMissingButton thing={missing} onClick={() => setCreating(missing)} />;
    if (p.suggestion === undefined || p.column === null || p.value === null) return create;
    const fixOf = (only: boolean) => ({
      kind: 'suggestion' as const,
      column: p.column!,
      value: p.value!,
      suggestion: p.suggestion!,
      ...(only && { row: row.row }),
    });
    return (
      <Group gap={4} wrap="nowrap">
        <IssueButton
          label="Apply"
          title={`Apply: use "${p.suggestion}" in row ${row.row}`}
          onClick={() => bulk.mutate(fixOf(true))}
        />
        <IssueButton
          label="Fix all like this"
          title={`Fix all like this: replace every "${p.value}" in ${p.column} with "${p.suggestion}"`}
          onClick={() => bulk.mutate(fixOf(false))}
        />
        {create}
      </Group>
    );
  };
  const errorColumns = [
    ...new Set(
      (rows.data?.items ?? []).flatMap((r) =>
        r.problems.filter((p) => p.severity === 'error' && p.column !== null).map((p) => p.column!),
      ),
    ),
  ];

  // "Try the first N rows first": a commit of those only; the rest waits for the admin's look.
  const [tryFirst, setTryFirst] = useState(false);
  const [firstRows, setFirstRows] = useState<number>(10);
  const firstCount = tryFirst ? Math.min(firstRows, view.rows.valid) : view.rows.valid;
  const commit = useMutation({
    // The deletes were confirmed in the commit button's dialog, with this number (CommitButton).
    mutationFn: () =>
      commitImport(view.id, {
        ...(tryFirst && { firstRows }),
        ...((view.planned.delete ?? 0) > 0 && { confirmDeletes: view.planned.delete }),
      }),
    onSuccess: (next) => {
      queryClient.setQueryData(['import', view.id], next);
      queryClient.invalidateQueries({ queryKey: ['imports'] });
    },
  });

  const total = rows.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const codes = Object.entries(view.errorCodes).sort((a, b) => b[1] - a[1]);
  const updates = hasUpdates(view) && !owner;
  const blockedByErrors = view.options.atomic && view.rows.invalid > 0;

  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Group justify="space-between" wrap="wrap">
          {heading ?? <Title order={3}>Review the rows</Title>}
          <Text size="sm" data-testid="review-counts">
            {plural(counts.total, 'row')} · {formatNumber(counts.valid)} valid ·{' '}
            <Text span c={counts.invalid ? 'red' : undefined} fw={counts.invalid ? 600 : undefined}>
              {formatNumber(counts.invalid)} with errors
            </Text>
          </Text>
        </Group>
        <Group gap="sm" align="flex-end" wrap="wrap">
          <SegmentedControl
            // Four choices do not fit a phone's width side by side.
            orientation={phone && updates ? 'vertical' : 'horizontal'}
            fullWidth={phone && updates}
            aria-label="Show rows"
            value={filter}
            onChange={(v) => {
              setFilter(v as RowFilter);
              setPage(1);
              setFocusRow(null);
            }}
            data={[
              { value: 'all', label: `All (${formatNumber(counts.total)})` },
              { value: 'valid', label: `Valid (${formatNumber(counts.valid)})` },
              { value: 'invalid', label: `Errors (${formatNumber(counts.invalid)})` },
              ...(updates
                ? [
                    {
                      value: 'unchanged',
                      label: `Change nothing (${formatNumber(view.planned.unchanged ?? 0)})`,
                    },
                  ]
                : []),
            ]}
          />
          <Select
            label="Problem"
            placeholder={codes.length ? 'Any problem' : 'No problems'}
            data={codes.map(([c, n]) => ({ value: c, label: `${problemLabel(c)} (${formatNumber(n)})` }))}
            value={code}
            onChange={(v) => {
              setCode(v);
              setPage(1);
              setFocusRow(null);
            }}
            clearable
            disabled={codes.length === 0}
            w={240}
          />
          <Button
            variant="light"
            color="red"
            onClick={() => nextError.mutate()}
            loading={nextError.isPending}
            disabled={counts.invalid === 0}
          >
            Next error
          </Button>
          {columns.ignored > 0 && (
            <Switch
              label={`Show ${plural(columns.ignored, 'ignored column')}`}
              checked={showIgnored}
              onChange={(e) => setShowIgnored(e.currentTarget.checked)}
              mb={8}
            />
          )}
          {editable && <FixToolbar view={view} errorColumns={errorColumns} onDone={setAnnounce} />}
          {rows.isFetching && <Loader size="sm" aria-label="Loading rows" />}
        </Group>
        {editable && <CustomerFix view={view} />}
        {editable && target?.customAttributes && <UnmappedColumns view={view} onDone={setAnnounce} />}
        {creating && (
          <CreateMissingDialog
            view={view}
            thing={creating}
            onClose={() => setCreating(null)}
            onDone={setAnnounce}
          />
        )}
        <Text size="sm" aria-live="polite" data-testid="review-announce" mih={20}>
          {announce}
        </Text>
        {rows.isError && (
          <Alert color="red" title="Could not load the rows" role="alert">
            {describeError(rows.error)}
          </Alert>
        )}
        {phone ? (
          <Stack gap="xs" component="ol" p={0} m={0} style={{ listStyle: 'none' }} data-testid="review-cards">
            {(rows.data?.items ?? []).map((row) => {
              const byColumn = problemsByColumn(row, view.header);
              const rowProblems = byColumn.get(-1);
              // The key column, then the columns with a problem, then the others: what to fix first.
              const shown = [
                ...(columns.key === null ? [] : [columns.key]),
                ...columns.rest.filter((i) => byColumn.has(i)),
                ...columns.rest.filter((i) => !byColumn.has(i)),
              ];
              return (
                <Card
                  key={row.row}
                  component="li"
                  withBorder
                  padding="sm"
                  id={`import-row-${row.row}`}
                  tabIndex={-1}
                  data-row={row.row}
                  data-valid={row.valid}
                  className={row.row === focusRow ? classes.focusedCard : undefined}
                >
                  <Group gap="xs" wrap="nowrap" mb={4}>
                    <Text size="sm" fw={700}>
                      Row {row.row}
                    </Text>
                    {row.valid ? (
                      <Badge color={row.action === 'delete' ? 'red' : 'green'} variant="light" size="sm">
                        {actionLabel(row)}
                      </Badge>
                    ) : (
                      <Badge color="red" variant="light" size="sm">
                        error
                      </Badge>
                    )}
                    {rowProblems && <ProblemIcon problems={rowProblems} label={`Row ${row.row}`} />}
                  </Group>
                  {row.problems.length > 0 && (
                    <div className={classes.cardIssues}>
                      <IssuesCell problems={row.problems} action={suggestionActions(row)} />
                    </div>
                  )}
                  {row.changes !== null && (
                    <div className={classes.cardIssues}>
                      <ChangesCell changes={row.changes} />
                    </div>
                  )}
                  <dl className={classes.cardCells}>
                    {shown.map((i) => (
                      <div key={i}>
                        <dt>{view.header[i] || `Column ${i + 1}`}</dt>
                        <dd>
                          <Cell
                            value={row.cells[i] ?? ''}
                            problems={byColumn.get(i)}
                            columnName={view.header[i] || `column ${i + 1}`}
                            rowNumber={row.row}
                            editable={editable}
                            saving={fix.isPending}
                            onSave={(value) => {
                              if (value !== (row.cells[i] ?? ''))
                                fix.mutate({ row: row.row, column: i, value });
                            }}
                          />
                        </dd>
                      </div>
                    ))}
                  </dl>
                </Card>
              );
            })}
            {rows.isSuccess && rows.data.items.length === 0 && (
              <Text c="dimmed" ta="center" py="md" component="li">
                No row matches.
              </Text>
            )}
          </Stack>
        ) : (
          <Table.ScrollContainer
            type="native"
            minWidth={Math.max(
              600,
              ROW_WIDTH +
                STATUS_WIDTH +
                300 +
                (updates ? 260 : 0) +
                (columns.key === null ? 0 : KEY_WIDTH) +
                columns.rest.length * 150,
            )}
          >
            <Table striped verticalSpacing={6} data-testid="review-table" className={classes.table}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={ROW_WIDTH} miw={ROW_WIDTH} className={classes.pinned} style={{ left: 0 }}>
                    Row
                  </Table.Th>
                  <Table.Th
                    w={STATUS_WIDTH}
                    miw={STATUS_WIDTH}
                    className={`${classes.pinned} ${columns.key === null ? classes.pinnedLast : ''}`}
                    style={{ left: ROW_WIDTH }}
                  >
                    Status
                  </Table.Th>
                  {columns.key !== null && (
                    <Table.Th
                      w={KEY_WIDTH}
                      miw={KEY_WIDTH}
                      className={`${classes.pinned} ${classes.pinnedLast}`}
                      style={{ left: ROW_WIDTH + STATUS_WIDTH }}
                    >
                      {view.header[columns.key] || `Column ${columns.key + 1}`}
                    </Table.Th>
                  )}
                  <Table.Th miw={260}>Issues</Table.Th>
                  {updates && <Table.Th miw={240}>Changes</Table.Th>}
                  {columns.rest.map((i) => (
                    <Table.Th key={i}>{view.header[i] || `Column ${i + 1}`}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(rows.data?.items ?? []).map((row) => {
                  const byColumn = problemsByColumn(row, view.header);
                  const rowProblems = byColumn.get(-1);
                  const cell = (i: number) => (
                    <Cell
                      value={row.cells[i] ?? ''}
                      problems={byColumn.get(i)}
                      columnName={view.header[i] || `column ${i + 1}`}
                      rowNumber={row.row}
                      editable={editable}
                      saving={fix.isPending}
                      onSave={(value) => {
                        if (value !== (row.cells[i] ?? '')) fix.mutate({ row: row.row, column: i, value });
                      }}
                    />
                  );
                  return (
                    <Table.Tr
                      key={row.row}
                      id={`import-row-${row.row}`}
                      tabIndex={-1}
                      data-row={row.row}
                      data-valid={row.valid}
                      className={row.row === focusRow ? classes.focused : undefined}
                      bg={row.row === focusRow ? 'var(--mantine-color-yellow-light)' : undefined}
                    >
                      <Table.Td className={classes.pinned} style={{ left: 0 }}>
                        {row.row}
                      </Table.Td>
                      <Table.Td
                        className={`${classes.pinned} ${columns.key === null ? classes.pinnedLast : ''}`}
                        style={{ left: ROW_WIDTH }}
                      >
                        <Group gap={4} wrap="nowrap">
                          {row.valid ? (
                            <Badge
                              color={row.action === 'delete' ? 'red' : 'green'}
                              variant="light"
                              size="sm"
                            >
                              {actionLabel(row)}
                            </Badge>
                          ) : (
                            <Badge color="red" variant="light" size="sm">
                              error
                            </Badge>
                          )}
                          {rowProblems && <ProblemIcon problems={rowProblems} label={`Row ${row.row}`} />}
                        </Group>
                      </Table.Td>
                      {columns.key !== null && (
                        <Table.Td
                          className={`${classes.pinned} ${classes.pinnedLast}`}
                          style={{ left: ROW_WIDTH + STATUS_WIDTH, maxWidth: KEY_WIDTH }}
                        >
                          {cell(columns.key)}
                        </Table.Td>
                      )}
                      <Table.Td className={classes.issues}>
                        <IssuesCell problems={row.problems} action={suggestionActions(row)} />
                      </Table.Td>
                      {updates && (
                        <Table.Td className={classes.issues}>
                          <ChangesCell changes={row.changes} />
                        </Table.Td>
                      )}
                      {columns.rest.map((i) => (
                        <Table.Td key={i}>{cell(i)}</Table.Td>
                      ))}
                    </Table.Tr>
                  );
                })}
                {rows.isSuccess && rows.data.items.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={columns.rest.length + (updates ? 5 : 4)}>
                      <Text c="dimmed" ta="center" py="md">
                        No row matches.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Pagination
            total={pages}
            value={page}
            onChange={(p) => {
              setPage(p);
              setFocusRow(null);
            }}
            siblings={1}
            boundaries={1}
            withEdges
            size="sm"
            aria-label="Pages of rows"
            getControlProps={(control) => ({ 'aria-label': `${control} page` })}
            getItemProps={(p) => ({ 'aria-label': `Page ${p}` })}
          />
          <Text size="sm" c="dimmed" data-testid="review-page">
            Page {formatNumber(page)} of {formatNumber(pages)}
          </Text>
        </Group>
        <FixHistory view={view} />
        {editable && (
          <Text size="sm" c="dimmed">
            Click a cell (or Tab to it and press Enter) to fix it; Enter saves, Escape cancels.
          </Text>
        )}
        {footer ?? (
          <>
            {commit.isError && (
              <Alert color="red" title="The import was not started" role="alert">
                {describeError(commit.error)}
              </Alert>
            )}
            {blockedByErrors && (
              <Alert color="yellow">
                "All or nothing" is on: fix or remove the rows with errors, or turn it off in the options, to
                commit.
              </Alert>
            )}
            <Group justify="space-between" wrap="wrap">
              <Button variant="default" onClick={onBack}>
                Back
              </Button>
              {canRun && (
                <Group gap="sm" wrap="wrap" justify="flex-end" align="center">
                  <PlannedCounts view={view} />
                  {!view.options.atomic && view.owners === null && view.rows.valid > 1 && (
                    <Group gap={6} wrap="nowrap" align="center">
                      <Switch
                        label="Try the first"
                        checked={tryFirst}
                        onChange={(e) => setTryFirst(e.currentTarget.checked)}
                        data-testid="try-first"
                      />
                      <NumberInput
                        aria-label="Rows to try first"
                        value={firstRows}
                        onChange={(v) => setFirstRows(typeof v === 'number' && v >= 1 ? Math.floor(v) : 1)}
                        min={1}
                        max={view.rows.valid}
                        allowDecimal={false}
                        allowNegative={false}
                        disabled={!tryFirst}
                        w={90}
                        size="xs"
                      />
                      <Text size="sm">rows first</Text>
                    </Group>
                  )}
                  <CommitButton
                    deletes={view.planned.delete ?? 0}
                    label={
                      tryFirst && firstCount < view.rows.valid
                        ? `Commit the first ${plural(firstCount, 'row')}`
                        : `Commit ${plural(view.rows.valid, 'valid row')}`
                    }
                    onCommit={() => commit.mutate()}
                    loading={commit.isPending}
                    disabled={view.status !== 'validated' || view.rows.valid === 0 || blockedByErrors}
                  />
                </Group>
              )}
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}
