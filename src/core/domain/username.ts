import { foldKey } from './text.js';

export const USERNAME_MAX_LENGTH = 64;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;

export function isValidUsername(value: string): boolean {
  return value.length > 0 && value.length <= USERNAME_MAX_LENGTH && USERNAME.test(value);
}

export const usernameKey = (value: string): string => foldKey(value);

/**
 * The username a user gets when none is given: the local part of the email, reduced to safe
 * characters. Collisions are settled by `withCounter`.
 */
export function usernameBase(email: string): string {
  const local = (email.split('@')[0] ?? '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const cleaned = local
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '')
    .replace(/^[._-]+/, '')
    .slice(0, USERNAME_MAX_LENGTH - 6);
  return cleaned === '' ? 'user' : cleaned;
}

/** `base`, then `base2`, `base3`, … : the first candidate that `isTaken` refuses. */
export function withCounter(base: string, isTaken: (candidateKey: string) => boolean): string {
  if (!isTaken(usernameKey(base))) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}${n}`;
    if (!isTaken(usernameKey(candidate))) return candidate;
  }
}

/** What username derivation needs to know of the users that exist. */
export interface UsernameLookup {
  /** Those of `keys` some user holds. */
  takenKeys(keys: readonly string[]): Promise<Set<string>>;
  /** Every username key that starts with `prefix`: the candidates a counter must avoid. */
  keysWithPrefix(prefix: string): Promise<Set<string>>;
}

/**
 * Gives every user whose username is empty one made from its email: the email's local part, with
 * a counter when an existing user or another user of the same batch holds it. The API's single
 * create and an import's batch both come here.
 */
export async function assignUsernames(
  users: { email: string; username: string }[],
  lookup: UsernameLookup,
): Promise<void> {
  const inBatch = new Set(users.filter((u) => u.username !== '').map((u) => usernameKey(u.username)));
  const needing = users.filter((u) => u.username === '');
  if (needing.length === 0) return;
  const bases = needing.map((u) => usernameBase(u.email));
  const taken = await lookup.takenKeys(bases.map(usernameKey));
  for (let i = 0; i < needing.length; i++) {
    const base = bases[i]!;
    const key = usernameKey(base);
    let username = base;
    if (taken.has(key) || inBatch.has(key)) {
      const withPrefix = await lookup.keysWithPrefix(key);
      username = withCounter(base, (k) => withPrefix.has(k) || inBatch.has(k));
    }
    needing[i]!.username = username;
    inBatch.add(usernameKey(username));
  }
}
