import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldedHashOf, hashOf, KeyTable } from '../../../src/domain/group-index.js';
import { context, decideFor, mapping, stock, subject } from './builders.js';
import { decide } from '../../../src/domain/decide.js';

/** The matched ids by SPEC §1 "Group mapping", read naively: exact, or lower-cased both sides. */
function naiveMatches(mappings: readonly { id: string; idpGroup: string; caseInsensitive: boolean }[], groups: readonly string[]): string[] {
  return mappings
    .filter((m) => groups.some((g) => (m.caseInsensitive ? g.toLowerCase() === m.idpGroup.toLowerCase() : g === m.idpGroup)))
    .map((m) => m.id)
    .sort();
}

describe('KeyTable', () => {
  it('finds every key among many, including keys whose hashes collide in the table', () => {
    const table = new KeyTable<number>();
    const keys = Array.from({ length: 500 }, (_, i) => `Group-${i}`);
    keys.forEach((key, i) => table.add(key, i));
    table.add('Group-7', 1000);
    expect(table.size).toBe(500);
    keys.forEach((key, i) => expect(table.find(key, hashOf(key))).toEqual(i === 7 ? [7, 1000] : [i]));
    expect(table.find('Group-500', hashOf('Group-500'))).toBeUndefined();
    // A probe with a colliding hash but another key does not answer.
    expect(table.find('nope', hashOf('Group-3'))).toBeUndefined();
  });

  it('finds a lower-cased key from any ASCII spelling, without lower-casing it', () => {
    const table = new KeyTable<string>();
    table.add('sales-emea', 'm1');
    for (const spelling of ['Sales-EMEA', 'SALES-EMEA', 'sales-emea', 'sAlEs-eMeA']) {
      expect(table.findFolded(spelling, foldedHashOf(spelling))).toEqual(['m1']);
    }
    expect(table.findFolded('Sales-EMEA2', foldedHashOf('Sales-EMEA2'))).toBeUndefined();
    // '@' and '[' border A-Z: they are not letters and do not fold.
    table.add('@x[', 'm2');
    expect(table.findFolded('`X{', foldedHashOf('`X{'))).toBeUndefined();
  });
});

describe('matching groups to mappings (SPEC §2 step 1)', () => {
  it('matches case-insensitive mappings whatever the case, including letters outside ASCII', () => {
    const mappings = [
      mapping('ascii', 'Sales-EMEA', ['bot-insight'], { caseInsensitive: true }),
      // KELVIN SIGN lower-cases to an ASCII k; LATIN CAPITAL I WITH DOT lower-cases to two code units.
      mapping('kelvin', '\u212Aiosk', ['bot-insight'], { caseInsensitive: true }),
      mapping('dotted', '\u0130nfo', ['bot-insight'], { caseInsensitive: true }),
      mapping('exact', 'Ops', ['bot-insight']),
    ];
    const ctx = context(mappings);
    const ids = (groups: string[]): readonly string[] => decide(ctx, subject(groups), stock()).matchedMappingIds;
    expect(ids(['SALES-emea'])).toEqual(['ascii']);
    expect(ids(['Kiosk'])).toEqual(['kelvin']);
    expect(ids(['kiosk'])).toEqual(['kelvin']);
    expect(ids(['\u0130NFO'])).toEqual(['dotted']);
    expect(ids(['i\u0307nfo'])).toEqual(['dotted']);
    expect(ids(['Info'])).toEqual([]);
    expect(ids(['ops', 'OPS'])).toEqual([]);
    expect(ids(['Ops', ''])).toEqual(['exact']);
  });

  it('reports the smallest spelling when several groups match one case-insensitive mapping', () => {
    const d = decideFor({
      mappings: [mapping('dev', 'Dev1', ['citizen-developer'], { caseInsensitive: true })],
      groups: ['dev1', 'DEV1', 'Dev1'],
    });
    expect(d.trace.matched.map((m) => m.matchedGroup)).toEqual(['DEV1']);
  });

  it('agrees with a naive reading over many mappings and arbitrary spellings', () => {
    const letters = fc.constantFrom('a', 'B', 'c', 'D', '-', '\u212A', 'k', 'K', '\u0130', 'i', '\u03A3', '\u03C3');
    const name = fc.array(letters, { minLength: 0, maxLength: 5 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ idpGroup: name, caseInsensitive: fc.boolean() }), { maxLength: 40, selector: (m) => `${m.idpGroup}|${m.caseInsensitive}` }),
        fc.array(name, { maxLength: 8 }),
        (specs, groups) => {
          const mappings = specs.map((s, i) => mapping(`m${String(i).padStart(2, '0')}`, s.idpGroup, ['bot-insight'], { caseInsensitive: s.caseInsensitive }));
          const d = decide(context(mappings), subject([...new Set(groups)]), stock());
          expect([...d.matchedMappingIds]).toEqual(naiveMatches(mappings, groups));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
