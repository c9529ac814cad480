// The standalone console in Chromium against a real opsproxy and a real 3-member etcd: sign in,
// the Overview, Cluster and Audit pages with real data, a viewer not offered admin actions and
// refused (and audited) when it forces one, audit verification, sign out. Every page is checked
// by Browser.checkPage (no console errors, axe-core, a screenshot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, storage, submitToken, testId, TOKEN_KEY } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');

let browser;
let admin;

before(async () => {
  browser = await Browser.launch();
  // Marks when the Overview's table first appears, for the time-to-first-render figure.
  await browser.context.addInitScript(() => {
    const table = '[data-testid="data-testid overview-table"]';
    new MutationObserver((_, observer) => {
      if (document.querySelector(table)) {
        performance.mark('overview-table-visible');
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  admin = await browser.newPage();
});

after(async () => {
  await browser?.close();
});

test('the sign-in screen asks for a token, served with the strict headers', async () => {
  const resp = await admin.goto(`${baseURL}/ui/`);
  const h = resp.headers();
  assert.match(h['content-security-policy'], /(^|; )script-src 'self';/, 'scripts only from the console itself');
  assert.match(h['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(h['x-frame-options'], 'DENY');
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  await admin.locator(testId('data-testid console-sign-in')).waitFor();
  await browser.checkPage(admin, '01-sign-in');
});

test('an admin token signs in; the token stays in sessionStorage only', async () => {
  await signIn(admin, baseURL, adminToken);
  assert.match(await admin.locator(testId('data-testid console-user')).innerText(), /\(admin\)/);
  const s = await storage(admin);
  assert.equal(s.session, adminToken);
  assert.equal(s.localLength, 0);
  assert.ok(!admin.url().includes(adminToken), 'the token is not in the URL');
});

test('Overview shows the 3-member cluster', async () => {
  const row = admin.locator(testId('data-testid overview-row c1'));
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /healthy/);
  assert.match(text, /3\/3/, 'three endpoints healthy and three members up');
  await browser.checkPage(admin, '02-overview');

  // Time to first render, measured in the page: from navigation start (a reload: the token is
  // still in this tab's sessionStorage) to the table with the cluster's data.
  await admin.reload();
  await admin.locator(testId('data-testid overview-table')).waitFor();
  const figures = await admin.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    const [mark] = performance.getEntriesByName('overview-table-visible');
    const scripts = performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    return {
      overviewTableMs: mark ? Math.round(mark.startTime) : undefined,
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      scriptBytes: scripts.reduce((n, r) => n + (r.decodedBodySize || 0), 0),
    };
  });
  console.log(
    `figure: Overview first render ${figures.overviewTableMs} ms after navigation start ` +
      `(DOMContentLoaded ${figures.domContentLoadedMs} ms, ${figures.scriptBytes} bytes of script)`
  );
  assert.ok(figures.overviewTableMs !== undefined, 'the Overview table was marked');
});

test('Cluster lists the members and offers an admin the membership actions', async () => {
  await admin.locator(testId('data-testid console-nav cluster')).click();
  await admin.locator(testId('data-testid cluster-members')).waitFor();
  assert.match(admin.url(), /\/ui\/cluster\?cluster=c1$/);
  assert.equal(await admin.locator('[data-testid^="data-testid cluster-member "]').count(), 3);
  assert.equal(await admin.locator('[data-testid^="data-testid cluster-remove "]').count(), 3);
  assert.equal(await admin.locator(testId('data-testid cluster-add-learner')).count(), 1);
  await browser.checkPage(admin, '03-cluster-admin');

  // Removing a member asks first, saying what happens to quorum; cancelling changes nothing.
  await admin.locator('[data-testid^="data-testid cluster-remove "]').first().click();
  const dialog = admin.getByRole('dialog');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /quorum/i);
  await browser.checkPage(admin, '03-cluster-admin-confirm-remove');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await admin.locator('[data-testid^="data-testid cluster-member "]').count(), 3);
});

test('Audit shows the records and verification passes', async () => {
  await admin.locator(testId('data-testid console-nav audit')).click();
  await admin.locator(testId('data-testid audit-table')).waitFor();
  await admin.locator(testId('data-testid audit-verify')).click();
  await admin.locator(testId('data-testid audit-verify-ok')).waitFor();
  await browser.checkPage(admin, '04-audit-verified');
});

test('a viewer is offered no admin action, and a forced one is refused and audited', async () => {
  const viewer = await browser.newPage();
  await signIn(viewer, baseURL, viewerToken);
  assert.match(await viewer.locator(testId('data-testid console-user')).innerText(), /\(viewer\)/);

  await viewer.locator(testId('data-testid console-nav cluster')).click();
  await viewer.locator(testId('data-testid cluster-members')).waitFor();
  assert.equal(await viewer.locator('[data-testid^="data-testid cluster-member "]').count(), 3);
  assert.equal(await viewer.locator('[data-testid^="data-testid cluster-remove "]').count(), 0);
  assert.equal(await viewer.locator('[data-testid^="data-testid cluster-promote "]').count(), 0);
  assert.equal(await viewer.locator(testId('data-testid cluster-add-learner')).count(), 0);
  await browser.checkPage(viewer, '05-cluster-viewer');

  // What the page would not offer, called from the page with its own token.
  const memberId = await viewer.evaluate(async (key) => {
    const r = await fetch('/api/v1/clusters/c1/members', {
      headers: { Authorization: `Bearer ${sessionStorage.getItem(key)}` },
    });
    return (await r.json()).members[0].id;
  }, TOKEN_KEY);
  const forced = `${baseURL}/api/v1/clusters/c1/members/${memberId}`;
  browser.expectedFailures.add(forced);
  const refused = await viewer.evaluate(
    async ({ url, key }) => {
      const r = await fetch(url, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${sessionStorage.getItem(key)}` },
      });
      return { status: r.status, body: await r.json() };
    },
    { url: forced, key: TOKEN_KEY }
  );
  assert.equal(refused.status, 403);
  assert.match(refused.body.error, /role viewer may not members remove: needs admin/);

  await viewer.goto(`${baseURL}/ui/audit?operation=members.remove&outcome=denied`);
  const table = viewer.locator(testId('data-testid audit-table'));
  await table.waitFor();
  const audit = await table.innerText();
  assert.match(audit, /members\.remove/);
  assert.match(audit, /denied/);
  assert.match(audit, /viewer/);
  assert.equal(await viewer.locator(testId('data-testid audit-verify')).count(), 0, 'a viewer is not offered verify');
  await browser.checkPage(viewer, '06-audit-viewer-denied');
  await viewer.close();
});

test('signing out forgets the token; it was never in a URL or localStorage', async () => {
  await admin.locator(testId('data-testid console-sign-out')).click();
  await admin.locator(testId('data-testid console-sign-in')).waitFor();
  const s = await storage(admin);
  assert.equal(s.session, null);
  assert.equal(s.localLength, 0);
  for (const url of browser.visited) {
    assert.ok(!url.includes(adminToken) && !url.includes(viewerToken), `a token in the URL ${url}`);
  }
  await browser.checkPage(admin, '07-signed-out');
});

test('an unknown or a revoked token is shown as refused, with a retry', async () => {
  browser.expectedFailures.add(`${baseURL}/api/v1/whoami`);
  const cases = [
    { token: 'etcdm_not-a-token', reason: /unknown token/, shot: '08-token-unknown' },
    { token: env('REVOKED_TOKEN'), reason: /token \S+ was revoked/, shot: '09-token-revoked' },
  ];
  for (const c of cases) {
    const page = await browser.newPage();
    await submitToken(page, baseURL, c.token);
    const failure = page.locator(testId('data-testid console-failure'));
    await failure.waitFor();
    const text = await failure.innerText();
    assert.match(text, /opsproxy refused this token/);
    assert.match(text, c.reason);
    assert.equal(await page.locator(testId('data-testid console-retry')).count(), 1);
    await browser.checkPage(page, c.shot);
    await page.close();
  }
});

test('a token revoked while signed in ends the session with the refusal, not a blank page', async () => {
  const page = await browser.newPage();
  await signIn(page, baseURL, env('DOOMED_TOKEN'));
  await page.locator(testId('data-testid overview-table')).waitFor();
  // The token revokes itself (it is an admin), as another admin would elsewhere.
  const revoked = await page.evaluate(async (key) => {
    const auth = { Authorization: `Bearer ${sessionStorage.getItem(key)}` };
    const me = await (await fetch('/api/v1/whoami', { headers: auth })).json();
    return (await fetch(`/api/v1/tokens/${me.token_id}`, { method: 'DELETE', headers: auth })).status;
  }, TOKEN_KEY);
  assert.equal(revoked, 200);
  browser.expectedFailures.add(`${baseURL}/api/v1/clusters`);
  await page.getByRole('button', { name: 'Refresh' }).click();
  const failure = page.locator(testId('data-testid console-failure'));
  await failure.waitFor();
  assert.match(await failure.innerText(), /opsproxy refused this token[\s\S]*was revoked/);
  assert.equal(await page.locator(testId('data-testid console-nav')).count(), 0);
  await browser.checkPage(page, '10-token-revoked-while-signed-in');
  await page.locator(testId('data-testid console-sign-in-again')).click();
  await page.locator(testId('data-testid console-sign-in')).waitFor();
  assert.equal((await storage(page)).session, null);
  await page.close();
});
