/** Finds keys an object does not declare, and the declared key each one most likely meant. */

/**
 * The keys of `value` that `table` does not declare, each with a message that suggests the
 * nearest declared key (`unknown key; did you mean "output"?`) or lists the declared keys when
 * none is near.
 */
export function unknownKeys(value: object, table: object): { key: string; message: string }[] {
  const known = Object.keys(table);
  return Object.keys(value)
    .filter((key) => !Object.hasOwn(table, key))
    .sort()
    .map((key) => {
      const nearest = nearestKey(key, known);
      return {
        key,
        message: nearest === undefined ? `unknown key (valid keys: ${known.join(', ')})` : `unknown key; did you mean "${nearest}"?`,
      };
    });
}

/**
 * The candidate closest to `word` by edit distance (insertions, deletions, substitutions and
 * swaps of adjacent letters, ignoring case), if it is close enough to be a likely typo: at most
 * a third of the longer word's letters differ (at least one may). Ties go to the first candidate.
 */
export function nearestKey(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ? best : undefined;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const table: number[] = new Array(rows * columns).fill(0);
  const at = (i: number, j: number) => table[i * columns + j]!;
  for (let i = 0; i < rows; i++) table[i * columns] = i;
  for (let j = 0; j < columns; j++) table[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, at(i - 2, j - 2) + 1);
      table[i * columns + j] = distance;
    }
  }
  return at(a.length, b.length);
}
