import { Button, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RowProblem } from '../types';
import classes from './ReviewStep.module.css';

/** A problem as a line of text: its column first, unless the message starts with it already. */
export function problemText(p: RowProblem): string {
  return p.column && !p.message.startsWith(p.column) ? `${p.column}: ${p.message}` : p.message;
}

/**
 * The Issues cell of a review row: every problem of the row as text (errors first), so the reasons
 * show without hovering; `action` may add a control beside a problem (e.g. apply its suggestion).
 */
export function IssuesCell({
  problems,
  action,
}: {
  problems: readonly RowProblem[];
  action?: (p: RowProblem) => ReactNode;
}) {
  if (problems.length === 0)
    return (
      <Text span c="dimmed" size="sm">
        —
      </Text>
    );
  const ordered = [...problems].sort(
    (a, b) => Number(a.severity !== 'error') - Number(b.severity !== 'error'),
  );
  return (
    <Stack gap={2} data-testid="row-issues">
      {ordered.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row's problems have no id; their order is stable
        <Group key={i} gap={6} wrap="nowrap" align="flex-start">
          <Text
            size="sm"
            className={p.severity === 'error' ? classes.issueError : classes.issueWarning}
            data-code={p.code}
          >
            {p.severity === 'warning' ? 'Warning: ' : ''}
            {problemText(p)}
          </Text>
          {action?.(p)}
        </Group>
      ))}
    </Stack>
  );
}

/** A small button beside a problem; `title`, its accessible name, starts with its visible label. */
export function IssueButton({
  label,
  title,
  onClick,
}: {
  label: string;
  title: string;
  onClick: () => void;
}) {
  return (
    <Button size="compact-xs" variant="light" onClick={onClick} aria-label={title} style={{ flexShrink: 0 }}>
      {label}
    </Button>
  );
}
