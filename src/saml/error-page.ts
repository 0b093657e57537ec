/**
 * The plain page a refused or denied login shows (SPEC §5): a generic message, the reason
 * category and what to ask the administrator — never the detail, never a stack trace.
 */
import type { Response } from 'express';
import type { DeniedReason } from './jit.js';
import type { RefusalReason } from './checks/refusal.js';
import { escapeHtml, page } from './html.js';

const DENIED: Record<DeniedReason, { title: string; text: string }> = {
  NO_MAPPING: {
    title: 'No access',
    text: 'You signed in successfully, but none of your groups is mapped to this platform. Ask your administrator to add you to a group that grants access.',
  },
  DEACTIVATED: {
    title: 'Account deactivated',
    text: 'Your account on this platform is deactivated. Ask your administrator to reactivate it.',
  },
  GROUPS_OVERAGE: {
    title: 'Too many groups',
    text: 'Your identity provider sent an incomplete group list (you belong to too many groups) and no synchronised (SCIM) group memberships are known for you. Ask your administrator to enable SCIM provisioning for this platform or to send only the relevant groups.',
  },
  NOT_PROVISIONED: {
    title: 'No account',
    text: 'You signed in successfully, but your groups do not allow an account to be created at login. Ask your administrator to create your account or to enable automatic provisioning for your group.',
  },
};

export function sendDenied(res: Response, reason: DeniedReason): void {
  const d = DENIED[reason];
  res.status(403).type('html').send(page(d.title, `<h1>${escapeHtml(d.title)}</h1><p>${escapeHtml(d.text)}</p><p>Reason: <code>${reason}</code></p>`));
}

export function sendRefused(res: Response, status: number, reason: RefusalReason | 'BAD_RELAY_STATE' | 'UNAVAILABLE'): void {
  const text =
    status === 429
      ? 'Too many sign-in attempts from your address. Wait a minute and try again.'
      : status >= 500
        ? 'Single sign-on is temporarily unavailable. Try again shortly.'
        : 'The sign-in response could not be accepted. Try signing in again from the start; if it keeps failing, give your administrator the time and the reason below.';
  res
    .status(status)
    .type('html')
    .send(page('Sign-in refused', `<h1>Sign-in refused</h1><p>${escapeHtml(text)}</p><p>Reason: <code>${escapeHtml(reason)}</code></p>`));
}
