import { describe, expect, it } from 'vitest';
import type { Profile } from '@node-saml/node-saml';
import { toIdentity, values } from '../../../src/saml/profile.js';
import { safeRelayState } from '../../../src/saml/relay-state.js';
import { scanResponse } from '../../../src/saml/checks/xml-scan.js';
import type { SamlRefusal } from '../../../src/saml/checks/refusal.js';

const profile = (attributes: Record<string, unknown>): Profile => ({ issuer: 'x', nameID: 'n', nameIDFormat: 'f', attributes }) as unknown as Profile;

describe('claims', () => {
  it('turns a single group value into a list and merges the Entra and ADFS group URIs', () => {
    const id = toIdentity(
      profile({
        SecurityGroups: 'Dev1',
        'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['b2c-guid', 'Dev1'],
        'http://schemas.xmlsoap.org/claims/Group': ' Dev2 ',
      }),
      'fiona@example.com',
      'SecurityGroups',
    );
    expect(id.groups).toEqual(['Dev1', 'Dev2', 'b2c-guid']);
    expect(id.overage).toBe(false);
  });

  it('reads the configured group attribute, the short claim names and the claim URIs', () => {
    const id = toIdentity(
      profile({
        memberOf: ['A'],
        UserID: 'u1',
        'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname': 'Fiona',
        LastName: 'Ng',
        EmailAddress: 'f@example.com',
      }),
      'fiona',
      'memberOf',
    );
    expect(id).toMatchObject({ groups: ['A'], userId: 'u1', firstName: 'Fiona', lastName: 'Ng', email: 'f@example.com' });
  });

  it('flags the Entra groups-overage claim', () => {
    expect(toIdentity(profile({ 'http://schemas.microsoft.com/claims/groups.link': 'https://graph' }), 'n', 'SecurityGroups').overage).toBe(true);
  });

  it('keeps only non-empty string values', () => {
    expect(values([' a ', '', { _: 'b' }, { nested: true }, null, 'x'.repeat(2000)])).toEqual(['a', 'b']);
  });
});

describe('RelayState', () => {
  it.each(['/', '/admin', '/a/b?c=d#e'])('follows the same-origin path %s', (v) => expect(safeRelayState(v)).toBe(v));
  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', '/a\nb', 'a'])('refuses %j', (v) => expect(safeRelayState(v)).toBeUndefined());
});

describe('streaming scan', () => {
  const ok = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="r" Destination="https://sp/acs" InResponseTo="q"><saml:Issuer>https://idp &amp; co</saml:Issuer><samlp:Status><samlp:StatusCode Value="S"/></samlp:Status><saml:Assertion ID="a"/></samlp:Response>';

  it('collects the envelope facts in one pass', () => {
    expect(scanResponse(`<?xml version="1.0" encoding="UTF-8"?>\n${ok}`)).toMatchObject({
      responseId: 'r',
      destination: 'https://sp/acs',
      inResponseTo: 'q',
      issuers: ['https://idp & co'],
      statusCode: 'S',
      responseSigned: false,
      assertions: 1,
    });
  });

  const reason = (xml: string): string => {
    try {
      scanResponse(xml);
      return 'accepted';
    } catch (e) {
      return (e as SamlRefusal).reason;
    }
  };

  it.each([
    ['a mismatched end tag', ok.replace('</samlp:Status>', '</samlp:Statuz>'), 'XML_SHAPE'],
    ['an undeclared prefix', ok.replace('<saml:Assertion', '<x:Assertion').replace('ID="a"/>', 'ID="a"/>'), 'XML_SHAPE'],
    ['an undeclared entity', ok.replace('&amp;', '&foo;'), 'XML_SHAPE'],
    ['CDATA', ok.replace('https://idp', '<![CDATA[x]]>'), 'XML_SHAPE'],
    ['a duplicate attribute', ok.replace('ID="r"', 'ID="r" ID="s"'), 'XML_SHAPE'],
    ['a root that is not a Response', ok.replace(/samlp:Response/g, 'samlp:LogoutResponse'), 'XML_SHAPE'],
    ['text after the root', `${ok}x`, 'XML_SHAPE'],
    ['an unclosed root', ok.replace('</samlp:Response>', ''), 'XML_SHAPE'],
  ])('refuses %s', (_name, xml, expected) => expect(reason(xml)).toBe(expected));
});
