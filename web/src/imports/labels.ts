import type { ImportStatus } from './types';

/** Also `partly_committed`: an import committed owner by owner, with owners still to go. */
type Status = ImportStatus | 'partly_committed';

export const STATUS_COLORS: Record<Status, string> = {
  staging: 'gray',
  mapping_required: 'orange',
  validated: 'blue',
  partly_committed: 'teal',
  queued: 'cyan',
  committing: 'cyan',
  cancelling: 'yellow',
  completed: 'green',
  cancelled: 'gray',
  failed: 'red',
  rolling_back: 'grape',
  rolled_back: 'grape',
};

export const STATUS_LABELS: Record<Status, string> = {
  staging: 'Reading the file',
  mapping_required: 'Mapping required',
  validated: 'Ready to review',
  partly_committed: 'Partly imported',
  queued: 'Queued',
  committing: 'Importing',
  cancelling: 'Cancelling',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
};

/** A mode in words, for what the target imports (`what`: its label in lower case, e.g. "customers"). */
export function modeLabel(mode: string, what: string): string {
  if (mode === 'insert') return `Insert: create new ${what} only`;
  if (mode === 'update') return `Update: change existing ${what} only`;
  if (mode === 'upsert') return `Upsert: create new ${what} and update existing ones`;
  return mode;
}

/** The wizard's steps, in order; an import's page starts at `map`. */
export const STEPS = [
  { key: 'target', label: 'Target' },
  { key: 'template', label: 'Template' },
  { key: 'upload', label: 'Upload' },
  { key: 'map', label: 'Map' },
  { key: 'options', label: 'Options' },
  { key: 'review', label: 'Review' },
  { key: 'commit', label: 'Commit' },
  { key: 'results', label: 'Results' },
] as const;

/**
 * The steps of a target whose rows each belong to an owner: after the options, the owners to import,
 * a preview owner by owner (each commit shows there), and the summary.
 */
export const GROUPED_STEPS = [
  ...STEPS.slice(0, 5),
  { key: 'owners', label: 'Users' },
  { key: 'preview', label: 'Preview' },
  { key: 'summary', label: 'Summary' },
] as const;

export type StepKey = (typeof STEPS)[number]['key'] | (typeof GROUPED_STEPS)[number]['key'];
export interface Step {
  key: StepKey;
  label: string;
}

/** "3 min 20 s", "45 s": for time left. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
