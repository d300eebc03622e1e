import type { Import, ImportTarget } from '../types';

/**
 * The per-owner part of the import API (record targets: one file, many owners). Written from the
 * API contract; the fields are read through the accessors below, so that the console also reads an
 * import or a target that has none of them (a target whose rows have no owner).
 */

/** A target whose rows each belong to one owner: `noun` is what the console calls an owner. */
export interface GroupedBy {
  field: string;
  noun: string;
}

export type OwnerState =
  | 'pending'
  | 'queued'
  | 'importing'
  | 'imported'
  | 'skipped'
  | 'failed'
  | 'rolled_back';

export interface OwnerResult {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export interface ImportOwner {
  userId: number;
  name: string;
  email: string;
  employeeNumber: string | null;
  rows: number;
  valid: number;
  invalid: number;
  included: boolean;
  state: OwnerState;
  result: OwnerResult | null;
}

export interface UnmatchedOwner {
  value: string;
  rows: number;
  firstRow: number;
  hint: string;
}

/** `GET /imports/{id}/owners`. */
export interface OwnersPage {
  owners: ImportOwner[];
  unmatched: UnmatchedOwner[];
  unmatchedRows: number;
  limits: { maxOwners: number; maxRows: number };
}

/** `owners` of an import's view: where the owner-by-owner sequence stands. */
export interface OwnersSummary {
  total: number;
  included: number;
  pending: number;
  imported: number;
  skipped: number;
  failed: number;
  rolledBack: number;
  unmatchedRows: number;
  /** The next included, pending owner in file order. */
  current: number | null;
}

/** `progress.owners` while a commit job of a grouped import runs. */
export interface OwnersProgress {
  done: number;
  total: number;
  current: { userId: number; name: string } | null;
}

export function groupedByOf(target: ImportTarget | undefined): GroupedBy | null {
  const value = (target as (ImportTarget & { groupedBy?: GroupedBy | null }) | undefined)?.groupedBy;
  return value ?? null;
}

export function ownersOf(view: Import): OwnersSummary | null {
  return (view as Import & { owners?: OwnersSummary | null }).owners ?? null;
}

export function ownersProgressOf(progress: Import['progress']): OwnersProgress | null {
  return (progress as Import['progress'] & { owners?: OwnersProgress | null }).owners ?? null;
}

/** Owners whose rows may still be committed: included and not yet imported or skipped. */
export const isOpen = (o: ImportOwner) => o.included && o.state === 'pending';

/** Capitalised noun: "User". */
export const title = (noun: string) => noun.charAt(0).toUpperCase() + noun.slice(1);

/**
 * `partly_committed`: some owners committed or skipped, included owners still pending. Compared as
 * text so that the console reads it whether or not the status list it was built with names it.
 */
export const isPartlyCommitted = (view: Import) => (view.status as string) === 'partly_committed';
