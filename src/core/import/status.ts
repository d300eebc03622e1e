import { AppError } from '../errors.js';

/**
 * An import's life, in one place. Every change of status is an event looked up here: `transition`
 * refuses an illegal one with a precise error (`import.not_validated`, `import.already_committed`,
 * …); `app/imports/move-status.ts` applies it to the stored import by compare-and-set.
 */
export const IMPORT_STATUSES = [
  'staging', // the file is being read, checked and staged, batch by batch; not listed yet
  'mapping_required', // read; a required field has no column yet
  'validated', // read, mapped and validated: reviewable, fixable, committable (this is a dry run's end)
  // Grouped by owner: some owners committed or skipped, included ones still pending; more may be committed.
  // Or the first N rows committed (`firstRows`), the others not yet: rolled back, or committed on.
  'partly_committed',
  'queued', // commit requested, waiting for a worker
  'committing',
  'cancelling',
  'completed', // final unless rolled back
  'cancelled', // stopped part-way; what was written can be rolled back
  'failed', // stopped by an error; what was written can be rolled back
  'rolling_back',
  'rolled_back', // final
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export type ImportEvent =
  | 'staged'
  | 'map'
  | 'reread'
  | 'set_options'
  | 'edit_rows'
  | 'commit'
  | 'start'
  | 'finish'
  | 'fail'
  | 'cancel'
  | 'stopped'
  | 'rollback'
  | 'rolled_back'
  // Imports grouped by owner (a target's `groupedBy`):
  | 'select' // include or exclude owners
  | 'skip' // mark owners skipped
  | 'finish_part' // a commit job ended with included owners still pending
  | 'owners_done' // no included owner is pending any more
  | 'rolled_back_part'; // a rollback of some owners ended: the others' records stay

const TRANSITIONS: Record<ImportStatus, Partial<Record<ImportEvent, ImportStatus>>> = {
  staging: { staged: 'validated' },
  mapping_required: {
    map: 'validated',
    reread: 'validated',
    // Options may change which fields need a column (users found by another key need no Email).
    set_options: 'validated',
    cancel: 'cancelled',
  },
  validated: {
    map: 'validated',
    reread: 'validated',
    set_options: 'validated',
    edit_rows: 'validated',
    commit: 'queued',
    cancel: 'cancelled',
    select: 'validated',
    skip: 'partly_committed',
  },
  // Mapping and options may no longer change: rows of committed owners were written under them.
  // Also a commit of the first rows (`firstRows`) with rows left: it may be rolled back as it is.
  partly_committed: {
    edit_rows: 'partly_committed',
    commit: 'queued',
    rollback: 'rolling_back',
    select: 'partly_committed',
    skip: 'partly_committed',
    owners_done: 'completed',
    cancel: 'cancelled',
  },
  queued: { start: 'committing', cancel: 'cancelled', fail: 'failed' },
  committing: {
    start: 'committing',
    finish: 'completed',
    finish_part: 'partly_committed',
    fail: 'failed',
    cancel: 'cancelling',
  },
  cancelling: {
    start: 'cancelling',
    stopped: 'cancelled',
    finish: 'completed',
    finish_part: 'partly_committed',
    fail: 'failed',
  },
  completed: { rollback: 'rolling_back' },
  cancelled: { rollback: 'rolling_back' },
  failed: { rollback: 'rolling_back' },
  rolling_back: { rolled_back: 'rolled_back', rolled_back_part: 'completed' },
  rolled_back: {},
};

/** A commit asked for and not yet ended: its job is waiting, running or stopping. */
export const COMMIT_STATUSES: readonly ImportStatus[] = ['queued', 'committing', 'cancelling'];
/** A commit ended, whatever its outcome: what it wrote can be rolled back. */
export const COMMITTED_STATUSES: readonly ImportStatus[] = ['completed', 'cancelled', 'failed'];
/** A job is writing the directory for this import. */
export const WRITING_STATUSES: readonly ImportStatus[] = [...COMMIT_STATUSES, 'rolling_back'];
/** A commit or rollback job has ended (a completed, cancelled or failed import may still be rolled back). */
export const JOB_ENDED_STATUSES: readonly ImportStatus[] = [...COMMITTED_STATUSES, 'rolled_back'];
/** Events that change what a commit would write: refused once the commit is asked for. */
const EDITS: readonly ImportEvent[] = [
  'commit',
  'map',
  'reread',
  'set_options',
  'edit_rows',
  'select',
  'skip',
];

/** The events after which the import waits for its mapping when a required field has no column. */
const MAPPING_EVENTS: ReadonlySet<ImportEvent> = new Set(['map', 'staged', 'reread', 'set_options']);

/**
 * `staged`, `map`, `reread` (the file read again with other choices) and `set_options` (which may
 * change the fields that need a column) reach `validated` only when the mapping is complete, else
 * `mapping_required`: callers pass the outcome.
 */
export function transition(from: ImportStatus, event: ImportEvent, mappingComplete = true): ImportStatus {
  const to = TRANSITIONS[from][event];
  if (to === undefined) throw illegal(from, event);
  if (MAPPING_EVENTS.has(event) && !mappingComplete) return 'mapping_required';
  return to;
}

/** Whether `event` may happen in `from` (a job checks before it starts). */
export function canTransition(from: ImportStatus, event: ImportEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}

function illegal(from: ImportStatus, event: ImportEvent): AppError {
  const details = { status: from, action: event };
  if (event === 'commit' && from === 'mapping_required') {
    return new AppError(
      'import.not_validated',
      409,
      'Map every required field before committing this import.',
      details,
    );
  }
  if (from === 'partly_committed' && (event === 'map' || event === 'set_options')) {
    return new AppError(
      'import.partly_committed',
      409,
      'Some owners of this import are committed or skipped already, so its mapping and options can no longer change. Fix rows, commit or skip the other owners, or upload the file again to start anew.',
      details,
    );
  }
  if (COMMIT_STATUSES.includes(from) && EDITS.includes(event)) {
    return new AppError(
      'import.already_committing',
      409,
      'This import is being committed; wait for it to finish.',
      details,
    );
  }
  if (COMMITTED_STATUSES.includes(from) && EDITS.includes(event)) {
    return new AppError(
      'import.already_committed',
      409,
      'This import has been committed already. Upload the file again to import it anew.',
      details,
    );
  }
  if (event === 'rollback' && ['mapping_required', 'validated'].includes(from)) {
    return new AppError(
      'import.not_committed',
      409,
      'Nothing to roll back: this import was never committed.',
      details,
    );
  }
  if (event === 'rollback' && COMMIT_STATUSES.includes(from)) {
    return new AppError(
      'import.still_committing',
      409,
      'Cancel the commit, or let it finish, before rolling back.',
      details,
    );
  }
  if (from === 'rolling_back') {
    return new AppError(
      'import.rolling_back',
      409,
      'This import is being rolled back; wait for it to finish.',
      details,
    );
  }
  if (from === 'rolled_back') {
    return new AppError(
      'import.rolled_back',
      409,
      'This import has been rolled back; nothing more can be done with it.',
      details,
    );
  }
  if (event === 'cancel') {
    return new AppError(
      'import.not_cancellable',
      409,
      `An import that is ${from.replace('_', ' ')} cannot be cancelled.`,
      details,
    );
  }
  return new AppError(
    'import.illegal_transition',
    409,
    `An import that is ${from.replace('_', ' ')} cannot ${event.replace('_', ' ')}.`,
    details,
  );
}
