/**
 * Insertion into small sorted arrays. Decisions touch a handful of keys, so insertion beats
 * Array.prototype.sort and keeps every output in one deterministic order (code-unit order, the
 * same as the default sort, never locale-dependent) whatever order the inputs came in.
 */

/** A frozen empty list, shared so that empty outputs cost no allocation. */
export const EMPTY: readonly never[] = Object.freeze([]);

/** Inserts `value` into the sorted distinct list; returns false when it was already there. */
export function insertSorted(list: string[], value: string): boolean {
  let i = list.length;
  while (i > 0) {
    const prev = list[i - 1] as string;
    if (prev < value) break;
    if (prev === value) return false;
    i--;
  }
  list.push(value);
  for (let j = list.length - 1; j > i; j--) list[j] = list[j - 1] as string;
  list[i] = value;
  return true;
}

/** Inserts `item` into `list` kept sorted by `compare`, after any equal items (stable). */
export function insertSortedBy<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let i = list.length;
  while (i > 0 && compare(list[i - 1] as T, item) > 0) i--;
  list.push(item);
  for (let j = list.length - 1; j > i; j--) list[j] = list[j - 1] as T;
  list[i] = item;
}

/** Code-unit comparison of two strings, the order every output list uses. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Linear membership test: the lists decide() scans hold a few entries at most. */
export function includesKey(list: readonly { readonly key: string }[], key: string): boolean {
  for (let i = 0; i < list.length; i++) if ((list[i] as { readonly key: string }).key === key) return true;
  return false;
}

/**
 * Inserts `value` into the sorted distinct first `count` entries of `buffer`, a scratch list
 * reused from call to call (so it never regrows); returns the new count.
 */
export function insertSortedAt(buffer: string[], count: number, value: string): number {
  let i = count;
  while (i > 0) {
    const prev = buffer[i - 1] as string;
    if (prev < value) break;
    if (prev === value) return count;
    i--;
  }
  for (let j = count; j > i; j--) buffer[j] = buffer[j - 1] as string;
  buffer[i] = value;
  return count + 1;
}

/** The first `count` entries of a scratch list, as a new list of exactly that length (EMPTY for 0). */
export function copyOf<T>(buffer: readonly T[], count: number): readonly T[] {
  if (count === 0) return EMPTY;
  const out = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = buffer[i] as T;
  return out;
}
