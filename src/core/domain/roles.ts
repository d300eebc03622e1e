/**
 * Portal role names are matched case-sensitively against active roles. A near miss (a different
 * case, or a small typo) gets a suggestion so the admin can fix the cell at once.
 */
export interface NamedRole {
  id: number;
  name: string;
  active: boolean;
}

export type RoleMatch =
  | { kind: 'found'; role: NamedRole }
  | { kind: 'inactive'; role: NamedRole }
  | { kind: 'unknown'; suggestion: string | null };

export function matchRole(name: string, roles: readonly NamedRole[]): RoleMatch {
  const exact = roles.find((r) => r.name === name);
  if (exact) return exact.active ? { kind: 'found', role: exact } : { kind: 'inactive', role: exact };
  return {
    kind: 'unknown',
    suggestion: suggestName(
      name,
      roles.filter((r) => r.active).map((r) => r.name),
    ),
  };
}

/** The closest candidate: same letters in another case first, then by edit distance (at most 2). */
export function suggestName(input: string, candidates: readonly string[]): string | null {
  const lower = input.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(input.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}
