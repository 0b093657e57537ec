/** Readers for node-saml's xml2js view of the verified assertion (prefixes stripped, arrays everywhere). */
export type Js = Record<string, unknown>;

export const children = (node: Js | undefined, name: string): Js[] => {
  const v = node?.[name];
  return Array.isArray(v) ? (v as Js[]) : [];
};

export const attr = (node: Js | undefined, name: string): string | undefined => {
  const v = (node?.['$'] as Js | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
};

/** Text content, or undefined when the element has child elements (a NameID must be plain text). */
export const text = (node: Js | undefined): string | undefined => {
  if (!node) return undefined;
  if (Object.keys(node).some((k) => k !== '_' && k !== '$')) return undefined;
  return typeof node['_'] === 'string' ? node['_'] : '';
};
