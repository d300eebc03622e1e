import { foldKey } from '../../domain/text.js';
import type { RowInput } from '../target.js';
import type { UsersEnv } from './users.js';

/**
 * The option `createMissingGroups`: groups a Groups cell names (plainly or after + or -) that
 * match no group, ignoring case, are created by the commit. The check sees each as a group
 * already, under an id below zero, so that its rows are valid, carry a note that it will be
 * created, and show it in their diff by name; the commit creates them first and reads the rows
 * against the real ones.
 */
export function missingGroupNames(rows: readonly RowInput[], env: UsersEnv): string[] {
  const known = new Set(env.directory.groups.map((g) => foldKey(g.name)));
  const missing = new Map<string, string>();
  for (const row of rows) {
    const cell = row.values.groups;
    if (!Array.isArray(cell)) continue;
    for (const entry of cell) {
      const name = (entry[0] === '+' || entry[0] === '-' ? entry.slice(1) : entry).trim();
      const key = foldKey(name);
      if (name !== '' && !known.has(key) && !missing.has(key)) missing.set(key, name);
    }
  }
  return [...missing.values()];
}

/** Whether a group of the directory is one the commit will create (a check's stand-in). */
export const isPlannedGroup = (id: number): boolean => id < 0;

/** The environment a check reads: the directory with a stand-in for each group to create. */
export function withPlannedGroups(env: UsersEnv, rows: readonly RowInput[]): UsersEnv {
  const names = missingGroupNames(rows, env);
  if (names.length === 0) return env;
  const planned = names.map((name, i) => ({ id: -(i + 1), name }));
  return { ...env, directory: { ...env.directory, groups: [...env.directory.groups, ...planned] } };
}

/** The environment a commit writes with: the missing groups created, in its transaction. */
export async function withCreatedGroups(env: UsersEnv, rows: readonly RowInput[]): Promise<UsersEnv> {
  const names = missingGroupNames(rows, env);
  if (names.length === 0) return env;
  const created = await env.store.createGroups(names);
  return { ...env, directory: { ...env.directory, groups: [...env.directory.groups, ...created] } };
}
