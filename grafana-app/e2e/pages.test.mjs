// The Maintenance and Tokens pages in Chromium against a real opsproxy and a real 3-member etcd,
// as an admin: Maintenance shows the revision, the defragmentation plan of the three members and
// the snapshots; Tokens lists the tokens and creates one whose secret is shown once and works.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');

let browser;
let admin;

before(async () => {
  browser = await Browser.launch();
  admin = await browser.newPage();
  await signIn(admin, baseURL, adminToken);
});

after(async () => {
  await browser?.close();
});

test('Maintenance shows the revision, the defragmentation plan and the snapshots', async () => {
  await admin.locator(testId('data-testid console-nav maintenance')).click();
  await admin.locator(testId('data-testid maintenance-revision')).waitFor();
  assert.match(admin.url(), /\/ui\/maintenance\?cluster=c1$/);
  await admin.locator(testId('data-testid maintenance-defrag-plan')).waitFor();
  assert.equal(await admin.locator('[data-testid^="data-testid maintenance-defrag-step "]').count(), 3);
  await admin
    .locator(`${testId('data-testid maintenance-snapshots')}, ${testId('data-testid maintenance-snapshots-empty')}`)
    .first()
    .waitFor();
  await browser.checkPage(admin, '30-maintenance-admin');
});

test('Tokens creates a token and shows its secret once', async () => {
  await admin.locator(testId('data-testid console-nav tokens')).click();
  await admin.locator(testId('data-testid tokens-table')).waitFor();
  await browser.checkPage(admin, '31-tokens-list');

  await admin.locator(testId('data-testid tokens-create')).click();
  await admin.locator('#token-name').fill('e2e-created');
  await admin.locator('#token-role').selectOption('viewer');
  await browser.checkPage(admin, '32-tokens-create-form');
  await admin.locator(testId('data-testid tokens-submit')).click();

  const secretBox = admin.locator(testId('data-testid tokens-secret'));
  await secretBox.waitFor();
  const secret = (await secretBox.innerText()).trim();
  assert.ok(secret.length > 20, 'a secret is shown');
  const row = admin.locator('[data-testid^="data-testid tokens-row "]', { hasText: 'e2e-created' });
  await row.waitFor();
  assert.ok(!(await row.innerText()).includes(secret), 'the table does not show the secret');
  await browser.checkPage(admin, '33-tokens-secret-once');

  // The secret works, as a viewer.
  const whoami = await fetch(`${baseURL}/api/v1/whoami`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(whoami.status, 200);
  assert.equal((await whoami.json()).role, 'viewer');

  // Closed, it is gone for good: not on the page, not after a reload.
  await admin.locator(testId('data-testid tokens-close-secret')).click();
  await secretBox.waitFor({ state: 'detached' });
  assert.ok(!(await admin.content()).includes(secret));
  await admin.reload();
  await admin.locator(testId('data-testid tokens-table')).waitFor();
  assert.ok(!(await admin.content()).includes(secret));
  await browser.checkPage(admin, '34-tokens-after-create');
});
