import { Text } from '@mantine/core';
import classes from './Changes.module.css';

/**
 * What a change did to a record's fields, as the API gives it (an import's row, an audit entry):
 * a value before and after, or a list's entries added and removed.
 */
export type FieldChange =
  | { field: string; label: string; before: string | null; after: string | null }
  | { field: string; label: string; added: string[]; removed: string[] };

const shown = (v: string | null) => (v === null || v === '' ? '(empty)' : v);

/** An update's diff, one field a line; "No change" for an update that changes nothing. */
export function ChangesCell({ changes }: { changes: readonly FieldChange[] | null }) {
  if (changes === null) return null;
  if (changes.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="row-changes">
        No change
      </Text>
    );
  return (
    <ul className={classes.changes} data-testid="row-changes">
      {changes.map((c) => (
        <li key={c.field}>
          {'added' in c ? (
            <>
              <span className={classes.changeLabel}>{c.label}:</span>{' '}
              {c.added.map((n) => (
                <span key={`+${n}`} className={classes.added}>
                  +{n}{' '}
                </span>
              ))}
              {c.removed.map((n) => (
                <span key={`-${n}`} className={classes.removed}>
                  -{n}{' '}
                </span>
              ))}
            </>
          ) : (
            <>
              <span className={classes.changeLabel}>{c.label}:</span>{' '}
              <span className={classes.removed}>{shown(c.before)}</span> →{' '}
              <span className={classes.added}>{shown(c.after)}</span>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
