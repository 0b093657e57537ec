/**
 * Rules a mapping set must satisfy before it is written (SPEC §1 "Group mapping"): licenses
 * exist, at most one primary per mapping, no key twice, one mapping per idpGroup. Problems are
 * returned as a report (index and field), so an import can show all of them at once.
 */
import type { LicenseKind } from '../../domain/index.js';

export interface MappingProblem {
  /** Position in the submitted list, when there is one. */
  readonly index?: number;
  readonly path: string;
  readonly message: string;
}

export interface CheckedMapping {
  readonly idpGroup: string;
  readonly licenses: readonly string[];
}

export function checkMapping(m: CheckedMapping, kinds: ReadonlyMap<string, LicenseKind>, index?: number): MappingProblem[] {
  const at = (path: string, message: string): MappingProblem => (index === undefined ? { path, message } : { index, path: `mappings.${index}.${path}`, message });
  const problems: MappingProblem[] = [];
  const seen = new Set<string>();
  const primaries: string[] = [];
  m.licenses.forEach((key, i) => {
    if (seen.has(key)) problems.push(at(`licenses.${i}`, `${key} appears twice`));
    seen.add(key);
    const kind = kinds.get(key);
    if (!kind) problems.push(at(`licenses.${i}`, `unknown license ${key}`));
    if (kind === 'primary') primaries.push(key);
  });
  if (primaries.length > 1) problems.push(at('licenses', `at most one primary license per mapping (got ${primaries.join(', ')})`));
  return problems;
}

/** Every mapping of a full set, plus one idpGroup per mapping across the set. */
export function checkMappingSet(set: readonly CheckedMapping[], kinds: ReadonlyMap<string, LicenseKind>): MappingProblem[] {
  const problems = set.flatMap((m, i) => checkMapping(m, kinds, i));
  const first = new Map<string, number>();
  set.forEach((m, i) => {
    const earlier = first.get(m.idpGroup);
    if (earlier !== undefined) problems.push({ index: i, path: `mappings.${i}.idpGroup`, message: `idpGroup ${m.idpGroup} is also mapping ${earlier}` });
    else first.set(m.idpGroup, i);
  });
  return problems.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
}
