/**
 * The admin page in a real browser (Debian's chromium through playwright-core) against a real
 * allot on its database, signing in through the demo IdP (a real SAML round trip): an admin
 * creates a mapping after previewing it, runs a redistribution and reads Fiona's explanation; a
 * read-only admin sees no write controls; a non-admin gets 403.
 * Screenshots land in test/artifacts/ (git-ignored) for a person to look at.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { features } from '../../src/features.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../helpers/seed.js';
import { createTestDb, type TestDb } from '../helpers/test-db.js';
import { testConfig, testDeps } from '../helpers/web-session.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve('test/artifacts');

let db: TestDb;
let deps: ReturnType<typeof testDeps>;
let http: RunningServer;
let base: string;
let browser: Browser;
/** Demo IdP users (src/demo/data.ts) and the groups the test signs them in with. */
const LOGINS = {
  admin: { nameId: 'ada@demo.allot', groups: 'Allot-Admins' },
  auditor: { nameId: 'otto@demo.allot', groups: 'Auditors' },
  basic: { nameId: 'fiona@demo.allot', groups: 'Dev1, Dev2' },
} as const;

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;
const signedIn = new Map<keyof typeof LOGINS, StorageState>();

/**
 * A fresh browser context, signed in through /admin → SAML login → demo IdP → ACS → /admin the
 * first time; later contexts of the same user reuse that session cookie.
 */
async function contextFor(who: keyof typeof LOGINS | null, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  const known = who ? signedIn.get(who) : undefined;
  const ctx = await browser.newContext({ viewport, ...(known ? { storageState: known } : {}) });
  if (!who || known) return ctx;
  const page = await ctx.newPage();
  await page.goto(`${base}/admin`);
  await page.waitForURL((u) => u.pathname === '/demo/idp');
  const form = page.locator('form', { has: page.locator(`input[name="user"][value="${LOGINS[who].nameId}"]`) });
  await form.getByLabel('Groups').fill(LOGINS[who].groups);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/admin');
  await page.close();
  signedIn.set(who, await ctx.storageState());
  return ctx;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Fails the test on any console error or CSP violation the page reports. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `admin-${name}.png`), fullPage: true });

describe.skipIf(!existsSync(CHROMIUM))('admin page in chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The SAML checks compare Destination and Recipient with the public URL: it must be the real one.
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    db = await createTestDb();
    deps = testDeps(db, testConfig({ ALLOT_DEMO: 'true', PORT: String(port), ALLOT_PUBLIC_URL: base }));
    await seedLicenses(db, specLicenses(3, { 'bot-creator': 2 }));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
    await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner'] });
    await seedMapping(db, { idpGroup: 'Allot-Admins', roles: ['AAE_Admin'] });
    await seedMapping(db, { idpGroup: 'Auditors', roles: ['AAE_Auditor'] });
    const fiona = await seedUser(db, 'fiona@demo.allot', ['Dev1', 'Dev2']);
    await seedUser(db, 'carl@example.com', ['Dev1']);
    await seedUser(db, 'bob@example.com', ['RPA-Builders']);
    for (const ref of [fiona, 'carl@example.com']) await deps.allocation.decideUser(ref, { actor: 'test', action: 'seed' });
    // Licenses exist, so the demo data is not seeded over them: the demo IdP only signs users in.
    http = await listen(createApp(deps, features), port, '127.0.0.1', deps.logger);
    // launch() gives chromium a fresh temporary --user-data-dir of its own and removes it on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await http?.stop(1000);
    await deps?.jobs.stop();
    await db?.destroy();
  });

  it('shows an admin the seats of every license with a bar each', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}/admin`);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    const row = page.locator('tr[data-license="citizen-developer"]');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('2');
    await expect(row.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe('2');
    await expect(page.locator('.who').textContent()).resolves.toContain('ada@demo.allot');
    await shot(page, 'licenses');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('edits a capacity, and explains a cut below the seats in use before doing nothing', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin#licenses`);
    const row = page.locator('tr[data-license="unattended-bot-runner"]');
    await row.getByLabel('Capacity of unattended-bot-runner').fill('4');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.locator('#status', { hasText: 'Capacity of unattended-bot-runner set to 4' }).waitFor();
    expect((await db.prisma.license.findUniqueOrThrow({ where: { key: 'unattended-bot-runner' } })).capacity).toBe(4);

    const cut = page.locator('tr[data-license="citizen-developer"]');
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await cut.getByLabel('Capacity of citizen-developer').fill('1');
    await cut.getByRole('button', { name: 'Save' }).click();
    await cut.getByRole('alert').waitFor();
    expect(asked).toMatch(/2 seats of citizen-developer are in use/);
    await expect(cut.getByRole('alert').textContent()).resolves.toMatch(/in use/);
    expect((await db.prisma.license.findUniqueOrThrow({ where: { key: 'citizen-developer' } })).capacity).toBe(3);
    await shot(page, 'licenses-capacity-refused');
    await ctx.close();
  });

  it('previews a new mapping, saves it, and shows users a deletion would leave without a license in red', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}/admin#mappings`);
    await page.getByRole('button', { name: 'New mapping' }).click();
    await page.getByLabel('IdP group').fill('RPA-Builders');
    await page.getByLabel('Roles').fill('AAE_Basic');
    await page.getByLabel('Primary license').selectOption('bot-creator');
    await page.getByLabel('Bot Insight', { exact: false }).or(page.getByLabel('bot-insight (bot-insight)')).check();
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByRole('region', { name: 'Preview of the change' });
    await preview.waitFor();
    await expect(preview.locator('tr', { hasText: 'bob@example.com' }).textContent()).resolves.toContain('bot-creator');
    await shot(page, 'mapping-preview');
    await page.getByRole('button', { name: 'Create mapping' }).click();
    await page.locator('tr[data-mapping="RPA-Builders"]').waitFor();
    await expect(page.locator('#status').textContent()).resolves.toContain('Mapping RPA-Builders saved');
    expect(await db.prisma.groupMapping.count({ where: { idpGroup: 'RPA-Builders' } })).toBe(1);

    await page.getByRole('button', { name: 'Edit mapping RPA-Builders' }).click();
    await page.getByLabel('Description').fill('RPA builders (bot creators)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('tr[data-mapping="RPA-Builders"]', { hasText: 'RPA builders (bot creators)' }).waitFor();

    await page.getByRole('button', { name: 'Delete mapping Dev1' }).click();
    const lost = page.locator('.preview tr.bad-row', { hasText: 'carl@example.com' });
    await lost.waitFor();
    await expect(lost.textContent()).resolves.toContain('no license');
    await shot(page, 'mapping-delete-preview');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await db.prisma.groupMapping.count({ where: { idpGroup: 'Dev1' } })).toBe(1);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('runs a redistribution and follows its progress bar until it finishes', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}/admin#redistribution`);
    // A dry run first (preselected): it lists bob's would-be change and writes nothing.
    await page.getByRole('button', { name: 'Start' }).click();
    const dry = page.locator('section[data-status="succeeded"]', { hasText: 'dry run' });
    await dry.waitFor({ timeout: 30_000 });
    await expect(dry.locator('tr', { hasText: 'bob@example.com' }).textContent()).resolves.toContain('bot-creator');
    await shot(page, 'redistribution-dry-run');
    expect(await db.prisma.allocation.count({ where: { user: { nameId: 'bob@example.com' } } })).toBe(0);

    await page.getByLabel('Dry run', { exact: false }).uncheck();
    await page.getByRole('button', { name: 'Start' }).click();
    const job = page.locator('section[data-status="succeeded"]', { hasNotText: 'dry run' });
    await job.waitFor({ timeout: 30_000 });
    await expect(job.textContent()).resolves.toMatch(/(\d+) \/ \1 users/);
    await shot(page, 'redistribution');
    const bob = await db.prisma.allocation.findMany({ where: { user: { nameId: 'bob@example.com' } }, orderBy: { licenseKey: 'asc' } });
    expect(bob.map((a) => a.licenseKey)).toEqual(['bot-creator', 'bot-insight']);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('finds Fiona and explains why she holds citizen-developer', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}/admin#users`);
    await page.getByLabel('User').fill('fiona');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'fiona@demo.allot' }).click();
    const explanation = page.getByRole('region', { name: 'Explanation' });
    await explanation.waitFor();
    const text = await explanation.textContent();
    expect(text).toContain('PREFERENCE');
    expect(text).toMatch(/citizen-developer — preference rank 2/);
    expect(text).toContain('Dev2');
    await expect(page.getByRole('region', { name: 'User fiona@demo.allot' }).textContent()).resolves.toContain('mapping');
    await shot(page, 'user-fiona');

    // Manual assign, then revoke: the origin shows, and only manual rows can be revoked.
    const detail = page.getByRole('region', { name: 'User fiona@demo.allot' });
    await detail.getByLabel('License').selectOption('process-discovery');
    await detail.getByRole('button', { name: 'Assign manually' }).click();
    await page.locator('#status', { hasText: 'process-discovery assigned to fiona@demo.allot' }).waitFor();
    const pd = page.getByRole('region', { name: 'User fiona@demo.allot' }).locator('tr', { hasText: 'process-discovery' });
    await expect(pd.textContent()).resolves.toContain('manual');
    expect(await page.getByRole('button', { name: 'Revoke citizen-developer' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke process-discovery' }).click();
    await page.locator('#status', { hasText: 'process-discovery revoked' }).waitFor();
    const held = await db.prisma.allocation.findMany({ where: { user: { nameId: 'fiona@demo.allot' } } });
    expect(held.map((a) => `${a.licenseKey}:${a.origin}`)).toEqual(['citizen-developer:mapping']);
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('filters the audit log and exports the same filter as CSV', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin#audit`);
    await page.locator('tbody tr').first().waitFor();
    await page.getByLabel('Actor').fill('admin:ada@demo.allot');
    // The unfiltered list is on screen already: wait for the filtered answer, then for its rows.
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/audit?') && r.url().includes('actor=admin')),
      page.getByRole('button', { name: 'Filter' }).click(),
    ]);
    await page.getByRole('button', { name: 'Filter' }).and(page.locator(':not([disabled])')).waitFor();
    const actors = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(actors.length).toBeGreaterThan(0);
    expect(new Set(actors)).toEqual(new Set(['admin:ada@demo.allot']));
    await shot(page, 'audit-filtered');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^allot-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    const lines = csv.trim().split('\n');
    expect(lines.length).toBe(actors.length + 1);
    expect(lines.slice(1).every((l) => l.includes('admin:ada@demo.allot'))).toBe(true);
    await ctx.close();
  });

  it('renders every page without a console error or CSP violation, and moves the focus to the page heading', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    const errors = watchConsole(page);
    await page.goto(`${base}/admin`);
    await page.getByRole('heading', { name: 'Licenses' }).waitFor();
    for (const [link, heading, ready] of [
      ['Preference order', 'Preference order', 'li[data-key="bot-creator"]'],
      ['Policy', 'Policy', 'form'],
      ['Users', 'Users', 'tr[data-user="fiona@demo.allot"]'],
      ['Redistribution', 'Redistribution', 'form'],
      ['Audit log', 'Audit log', 'table'],
    ] as const) {
      await page.getByRole('link', { name: link }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.locator(`.page-body ${ready}`).first().waitFor();
      expect(await page.evaluate('document.activeElement?.tagName')).toBe('H1');
      await shot(page, `page-${link.toLowerCase().replace(/ /g, '-')}`);
    }
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('reorders the preference order from the keyboard and saves it', async () => {
    const ctx = await contextFor('admin');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin#preference`);
    await page.getByRole('button', { name: 'Move attended-bot-runner up' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(page.locator('ol.order li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-key')))).resolves.toEqual([
      'attended-bot-runner',
      'bot-creator',
      'citizen-developer',
      'unattended-bot-runner',
    ]);
    // The focus follows the moved entry, so repeated key presses keep moving it.
    expect(await page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Move attended-bot-runner down');
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.locator('#status', { hasText: 'Preference order saved' }).waitFor();
    const settings = await db.prisma.settings.findUniqueOrThrow({ where: { id: 1 } });
    expect(settings.preferenceOrder).toEqual(['attended-bot-runner', 'bot-creator', 'citizen-developer', 'unattended-bot-runner']);
    await shot(page, 'preference-saved');
    await page.getByRole('button', { name: 'Move attended-bot-runner down' }).click();
    await page.getByRole('button', { name: 'Move attended-bot-runner down' }).click();
    await page.getByRole('button', { name: 'Save order' }).click();
    await page.locator('#status', { hasText: 'Preference order saved' }).waitFor();
    await ctx.close();
  });

  it('is usable on a narrow screen', async () => {
    const ctx = await contextFor('admin', { width: 390, height: 844 });
    const page = await ctx.newPage();
    await page.goto(`${base}/admin#licenses`);
    await page.locator('tr[data-license="bot-creator"]').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(page, 'narrow-licenses');
    await page.getByRole('link', { name: 'Mappings' }).click();
    await page.locator('tr[data-mapping="Dev1"]').waitFor();
    await shot(page, 'narrow-mappings');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'fiona@demo.allot' }).click();
    await page.getByRole('region', { name: 'Explanation' }).waitFor();
    expect(await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await shot(page, 'narrow-user');
    await ctx.close();
  });

  it('shows a read-only admin every page without write controls', async () => {
    const ctx = await contextFor('auditor');
    const page = await ctx.newPage();
    await page.goto(`${base}/admin#mappings`);
    await page.locator('tr[data-mapping="Dev1"]').waitFor();
    expect(await page.getByRole('button', { name: 'New mapping' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await expect(page.locator('.who').textContent()).resolves.toContain('read-only');
    await shot(page, 'read-only-mappings');
    await ctx.close();
  });

  it('refuses a user without an admin role with a 403 page, and sends a visitor without a session to the SAML login, back to /admin', async () => {
    const ctx = await contextFor('basic');
    const page = await ctx.newPage();
    const res = await page.goto(`${base}/admin`);
    expect(res?.status()).toBe(403);
    await expect(page.getByRole('heading', { name: 'Access denied' }).isVisible()).resolves.toBe(true);
    await shot(page, 'forbidden');
    await ctx.close();

    const anon = await contextFor(null);
    const visitor = await anon.newPage();
    const hops: string[] = [];
    visitor.on('request', (r) => {
      if (r.isNavigationRequest()) hops.push(new URL(r.url()).pathname + new URL(r.url()).search);
    });
    await visitor.goto(`${base}/admin`);
    await visitor.waitForURL((u) => u.pathname === '/demo/idp');
    expect(hops.slice(0, 2)).toEqual(['/admin', '/saml/login?RelayState=%2Fadmin']);
    expect(new URL(visitor.url()).searchParams.get('RelayState')).toBe('/admin');
    await anon.close();
  });
});
