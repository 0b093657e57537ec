/**
 * node-saml Profile → Identity (SPEC §5 Claims). Attribute names are the ones administrators type
 * into Entra/ADFS/Okta: the short names, and the claim URIs those IdPs emit by default. A single
 * group value arrives as a string and becomes a list (issue 5 check 13).
 */
import type { Profile } from '@node-saml/node-saml';

export interface Identity {
  readonly nameId: string;
  readonly userId: string | undefined;
  readonly firstName: string | undefined;
  readonly lastName: string | undefined;
  readonly email: string | undefined;
  readonly groups: readonly string[];
  /** Entra's groups-overage claim: the group list is incomplete (SPEC §5). */
  readonly overage: boolean;
}

const MS = 'http://schemas.microsoft.com/ws/2008/06/identity/claims';
const XS = 'http://schemas.xmlsoap.org';
export const GROUP_CLAIM_URIS: readonly string[] = [`${MS}/groups`, `${XS}/claims/Group`];
export const OVERAGE_CLAIM = 'http://schemas.microsoft.com/claims/groups.link';

const CLAIMS = {
  userId: ['UserID', `${XS}/ws/2005/05/identity/claims/name`, 'uid'],
  firstName: ['FirstName', `${XS}/ws/2005/05/identity/claims/givenname`, 'givenName'],
  lastName: ['LastName', `${XS}/ws/2005/05/identity/claims/surname`, 'sn'],
  email: ['EmailAddress', `${XS}/ws/2005/05/identity/claims/emailaddress`, 'email', 'mail'],
} as const;

const MAX_GROUPS = 5000;
const MAX_LENGTH = 1024;

/** Every value of an attribute as strings (node-saml gives a string, an array, or xml2js objects). */
export function values(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  const out: string[] = [];
  for (const v of list) {
    const s = typeof v === 'string' ? v : typeof (v as { _?: unknown } | null)?._ === 'string' ? (v as { _: string })._ : undefined;
    const t = s?.trim();
    if (t && t.length <= MAX_LENGTH) out.push(t);
  }
  return out;
}

export function toIdentity(profile: Profile, nameId: string, groupAttribute: string): Identity {
  const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
  const first = (names: readonly string[]): string | undefined => {
    for (const n of names) {
      const v = values(attributes[n])[0];
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const groups = new Set<string>();
  for (const name of [groupAttribute, ...GROUP_CLAIM_URIS]) for (const g of values(attributes[name])) groups.add(g);
  return {
    nameId,
    userId: first(CLAIMS.userId),
    firstName: first(CLAIMS.firstName),
    lastName: first(CLAIMS.lastName),
    email: first(CLAIMS.email),
    groups: [...groups].slice(0, MAX_GROUPS).sort(),
    overage: attributes[OVERAGE_CLAIM] !== undefined,
  };
}
