import type { z } from 'zod';
import type { ImportOwners } from '../../../../src/http/import-schemas.js';
import type { Import, ImportTarget } from '../types';

/**
 * The per-owner part of the import API (record targets: one file, many owners), inferred from its
 * zod schemas (type-only) like the rest of the console's import types.
 */

/** A target whose rows each belong to one owner: `noun` is what the console calls an owner. */
export type GroupedBy = NonNullable<ImportTarget['groupedBy']>;
/** `GET /imports/{id}/owners`. */
export type OwnersPage = z.infer<typeof ImportOwners>;
export type ImportOwner = OwnersPage['owners'][number];
export type OwnerState = ImportOwner['state'];
export type OwnerResult = NonNullable<ImportOwner['result']>;
export type UnmatchedOwner = OwnersPage['unmatched'][number];
/** `owners` of an import's view: where the owner-by-owner sequence stands. */
export type OwnersSummary = NonNullable<Import['owners']>;
/** `progress.owners` while a commit job of a grouped import runs. */
export type OwnersProgress = NonNullable<Import['progress']['owners']>;

export const groupedByOf = (target: ImportTarget | undefined): GroupedBy | null => target?.groupedBy ?? null;
export const ownersOf = (view: Import): OwnersSummary | null => view.owners;
export const ownersProgressOf = (progress: Import['progress']): OwnersProgress | null =>
  progress.owners ?? null;

/** Owners whose rows may still be committed: included and not yet imported or skipped. */
export const isOpen = (o: ImportOwner) => o.included && o.state === 'pending';

/** Capitalised noun: "User". */
export const title = (noun: string) => noun.charAt(0).toUpperCase() + noun.slice(1);

/** `partly_committed`: some owners committed or skipped, included owners still pending. */
export const isPartlyCommitted = (view: Import) => view.status === 'partly_committed';
