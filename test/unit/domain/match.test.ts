import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { context, decideFor, mapping, stock, subject } from './builders.js';
import { decide } from '../../../src/domain/decide.js';

/** The matched ids by SPEC §1 "Group mapping", read naively: exact, or lower-cased both sides. */
function naiveMatches(mappings: readonly { id: string; idpGroup: string; caseInsensitive: boolean }[], groups: readonly string[]): string[] {
  return mappings
    .filter((m) => groups.some((g) => (m.caseInsensitive ? g.toLowerCase() === m.idpGroup.toLowerCase() : g === m.idpGroup)))
    .map((m) => m.id)
    .sort();
}

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
