/**
 * The compiled mappings by group string (SPEC §2 step 1, SPEC §1 "Group mapping"), looked up
 * without allocating: the caller hashes the group in the same pass that checks it for capitals
 * and non-ASCII code units, and a group with capitals (most IdP groups) is compared with the
 * lower-cased keys of the case-insensitive mappings code by code, without toLowerCase(). Groups
 * with non-ASCII code units take the exact toLowerCase() path, whose result may differ in length.
 */

/** An open-addressing table from key strings to buckets, with the 32-bit hash of each key. */
export class KeyTable<T> {
  private readonly keys: string[] = [];
  private readonly hashes: number[] = [];
  private readonly buckets: T[][] = [];
  /** Slot -> entry index + 1 (0 = empty); power-of-two size, at most half full. */
  private slots = new Int32Array(8);

  get size(): number {
    return this.keys.length;
  }

  keyList(): readonly string[] {
    return this.keys;
  }

  /** Appends `value` to the bucket of `key`. */
  add(key: string, value: T): void {
    const h = hashOf(key);
    const found = this.find(key, h);
    if (found !== undefined) {
      found.push(value);
      return;
    }
    this.keys.push(key);
    this.hashes.push(h);
    this.buckets.push([value]);
    if (this.keys.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(this.keys.length - 1);
  }

  /** The bucket of `key`, whose hash is `h` (hashOf(key)). */
  find(key: string, h: number): T[] | undefined {
    const { slots, keys, hashes } = this;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = slots[i] as number;
      if (slot === 0) return undefined;
      const e = slot - 1;
      if (hashes[e] === h && keys[e] === key) return this.buckets[e];
    }
  }

  /**
   * The bucket of the key equal to the ASCII lower case of `group` (hash `h`), for a group made
   * of ASCII code units only. Compares code by code: no lower-cased copy is built.
   */
  findFolded(group: string, h: number): T[] | undefined {
    const { slots, keys, hashes } = this;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = slots[i] as number;
      if (slot === 0) return undefined;
      const e = slot - 1;
      if (hashes[e] === h && equalsFolded(group, keys[e] as string)) return this.buckets[e];
    }
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let e = 0; e < this.keys.length; e++) this.place(e);
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let i = (this.hashes[e] as number) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = e + 1;
  }
}

/** FNV-1a over UTF-16 code units (matchMappings() inlines the same loop). */
export function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** True when `lower` is `group` with A-Z lower-cased (`group` being ASCII). */
export function equalsFolded(group: string, lower: string): boolean {
  if (group.length !== lower.length) return false;
  for (let i = 0; i < group.length; i++) {
    let c = group.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** FNV-1a of the ASCII lower case of `s` (A-Z folded; other code units as they are). */
export function foldedHashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c | 32 : c), 0x01000193);
  }
  return h | 0;
}
