// @ts-check
/** The explanation of a decision (SPEC §2 trace), section by section, in the order the engine works. */
import { h, table, badge } from './dom.js';

const RULES = /** @type {Record<string, string>} */ ({
  DEACTIVATED: 'inactive users hold nothing',
  NO_MAPPING: 'no enabled mapping matches the user’s groups',
  ADMIN_ONLY: 'a matched mapping carries an admin role: the admin license only',
  PREFERENCE: 'the highest-ranked primary in the preference order, with every add-on',
  FALLBACK: 'the preferred bundle did not fit; fallback to the next preference is on',
  MANUAL_PRIMARY: 'the user keeps a manual primary license',
  ADDONS_ONLY: 'no primary license is mapped: add-ons only',
});

const REASONS = /** @type {Record<string, string>} */ ({
  ALLOCATED: '(a decision now would move seats to reach this target)',
  UNCHANGED: '(the user already holds this target: nothing would move)',
  MANUAL_PRESERVED: '(manual allocations are kept)',
  BUNDLE_UNAVAILABLE: '(a bundle member is sold out: the user waits for a seat)',
  NO_MAPPING: '(no mapping matches)',
  ADMIN_ONLY: '(admin role: the admin license only)',
  DEACTIVATED: '(inactive user)',
});

/** @param {{ reason: string, trace: any }} explanation */
export function renderTrace(explanation) {
  const t = explanation.trace ?? {};
  const outcome = t.outcome ?? {};
  const list = (/** @type {string[] | undefined} */ xs) => (xs && xs.length ? xs.map((x, i) => [i ? ', ' : '', h('code', null, x)]) : h('span', { class: 'muted' }, 'none'));
  const reasonTone = explanation.reason === 'BUNDLE_UNAVAILABLE' || explanation.reason === 'NO_MAPPING' || explanation.reason === 'DEACTIVATED' ? 'bad' : 'ok';
  return h(
    'section',
    { class: 'trace', 'aria-label': 'Explanation' },
    h('h3', null, 'Explanation'),
    h('p', { class: 'because' }, summarize(explanation.reason, t)),
    h('p', null, 'Reason: ', badge(explanation.reason, reasonTone), ` ${REASONS[explanation.reason] ?? ''}`, h('br'), 'Rule: ', h('code', null, t.rule ?? '?'), ` — ${RULES[t.rule] ?? ''}`),
    h('h4', null, '1. Matched mappings'),
    matchedTable(t.matched ?? [], list),
    h('h4', null, '2. Candidate primaries'),
    (t.candidates ?? []).length
      ? h('ol', null, t.candidates.map((/** @type {any} */ c) => h('li', null, h('code', null, c.key), c.rank === null ? ' — not in the preference order (ranks last)' : ` — preference rank ${c.rank}`)))
      : h('p', { class: 'empty' }, 'No primary license candidates.'),
    h('h4', null, '3. Bundles tried'),
    (t.bundles ?? []).length
      ? (t.bundles ?? []).map((/** @type {any} */ b) =>
          h(
            'div',
            { class: 'bundle' },
            h('p', null, 'Bundle ', list(b.members.map((/** @type {any} */ m) => m.key)), ' ', b.fits ? badge('fits', 'ok') : badge('does not fit', 'bad')),
            table(
              ['License', 'Capacity', 'Used', 'Available to this user', 'Held'],
              b.members.map((/** @type {any} */ m) =>
                h(
                  'tr',
                  { class: m.available > 0 ? '' : 'bad-row' },
                  h('td', null, h('code', null, m.key)),
                  h('td', { class: 'num' }, String(m.capacity)),
                  h('td', { class: 'num' }, String(m.used)),
                  h('td', { class: 'num' }, String(m.available)),
                  h('td', null, m.heldManually ? 'manually' : m.heldByUser ? 'yes' : 'no'),
                ),
              ),
              'Empty bundle.',
            ),
          ),
        )
      : h('p', { class: 'empty' }, 'No bundle was tried.'),
    h('h4', null, '4. Manual allocations'),
    h('p', null, 'Kept: ', list(t.manual?.kept), '; revoked: ', list(t.manual?.revoked), t.manual?.suppressedPrimary ? ` — ${t.manual.suppressedPrimary} not granted: the user keeps a manual primary` : ''),
    h('h4', null, '5. Outcome'),
    h(
      'dl',
      { class: 'pairs' },
      h('dt', null, 'Target'),
      h('dd', null, list(outcome.target)),
      h('dt', null, 'Acquire'),
      h('dd', null, list(outcome.acquire)),
      h('dt', null, 'Release'),
      h('dd', null, list((outcome.release ?? []).map((/** @type {any} */ r) => `${r.key} (${r.origin})`))),
      h('dt', null, 'Missing'),
      h('dd', { class: (outcome.missing ?? []).length ? 'bad-text' : '' }, list(outcome.missing)),
    ),
  );
}

/** Matched mappings; the "matched as" column only when a case-insensitive match spelled the group differently. @param {any[]} matched @param {(xs: string[]) => any} list */
function matchedTable(matched, list) {
  const spelled = matched.some((m) => m.matchedGroup !== m.idpGroup);
  return table(
    ['IdP group', ...(spelled ? ['Matched as'] : []), 'Roles', 'Licenses'],
    matched.map((m) => h('tr', null, h('td', null, h('code', null, m.idpGroup)), spelled ? h('td', null, m.matchedGroup === m.idpGroup ? '' : m.matchedGroup) : null, h('td', null, list(m.roles)), h('td', null, list(m.licenses)))),
    'No enabled mapping matches this user’s groups.',
  );
}

/** One plain sentence: what the user holds and why. @param {string} reason @param {any} t */
export function summarize(reason, t) {
  const o = t.outcome ?? {};
  const target = /** @type {string[]} */ (o.target ?? []);
  const kept = /** @type {string[]} */ (t.manual?.kept ?? []);
  const groups = (t.matched ?? []).map((/** @type {any} */ m) => m.idpGroup);
  const matched = groups.length === 1 ? `mapping ${groups[0]} matches` : `mappings ${groups.join(', ')} match`;
  const manual = kept.length ? ` Manual allocations kept: ${kept.join(', ')}.` : '';
  switch (t.rule) {
    case 'DEACTIVATED':
      return 'The user is inactive, so they hold no license.';
    case 'NO_MAPPING':
      return `No enabled mapping matches the user’s groups, so they get no license from a mapping.${manual}`;
    case 'ADMIN_ONLY':
      return `The ${matched} and one carries an admin role, so the user gets only the admin license${target.length ? ` ${target.join(', ')}` : ''}.${reason === 'BUNDLE_UNAVAILABLE' ? ` It is sold out: ${(o.missing ?? []).join(', ')}.` : ''}${manual}`;
    default:
      break;
  }
  if (reason === 'BUNDLE_UNAVAILABLE') {
    return `The ${matched}, but the bundle does not fit: ${(o.missing ?? []).join(', ') || 'a member'} is sold out. The user holds no mapping license and waits for a seat (granted automatically when the whole bundle fits).${manual}`;
  }
  const primary = (t.bundles ?? []).find((/** @type {any} */ b) => b.fits)?.primary;
  const cands = /** @type {any[]} */ (t.candidates ?? []);
  const others = cands.map((c) => c.key).filter((k) => k !== primary);
  const ranking = primary && others.length ? ` ${primary} ranks above ${others.join(', ')} in the preference order.` : '';
  const holds = target.length ? `Holds ${target.join(', ')}` : 'Holds no mapping license';
  return `${holds}: the ${matched}.${ranking}${t.rule === 'FALLBACK' ? ' The preferred bundle was sold out; fallback chose the next one.' : ''}${manual}`;
}
