/**
 * RelayState is where the browser goes after login. Only a same-origin absolute path is followed
 * (no scheme, no host, no `//` or `/\` that browsers read as another host), so the ACS can never
 * be used as an open redirect.
 */
const SAFE = /^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*$/;

export function safeRelayState(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return undefined;
  return SAFE.test(value) ? value : undefined;
}
