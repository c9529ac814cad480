// The Jobs page and the Maintenance page's job actions in Chromium against a real opsproxy (its
// in-process queue and workers) and a real 3-member etcd: save a snapshot as a job, follow it on
// the Jobs page over the job's event stream until it succeeds, find it in the filtered list, and
// see a dry-run defragmentation's plan before anything is defragmented. Every page is checked by
// Browser.checkPage (no console errors, axe-core, a screenshot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');

let browser;
let admin;
let snapshotJob;

before(async () => {
  browser = await Browser.launch();
  admin = await browser.newPage();
  await signIn(admin, baseURL, adminToken);
});

after(async () => {
  await browser?.close();
});

test('Save snapshot enqueues a job that the Jobs page follows until it succeeds', async () => {
  await admin.goto(`${baseURL}/ui/maintenance?cluster=c1`);
  await admin.locator(testId('data-testid maintenance-save-snapshot')).click();
  const dialog = admin.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Save snapshot' }).click();
  const link = admin.locator(testId('data-testid maintenance-job-link'));
  await link.waitFor();
  await browser.checkPage(admin, 'jobs-01-maintenance-snapshot-enqueued');
  await link.click();
  assert.match(admin.url(), /\/ui\/jobs\?job=[^&]+$/);
  snapshotJob = decodeURIComponent(new URL(admin.url()).searchParams.get('job'));

  const status = admin.locator(testId('data-testid jobs-job-status'));
  await admin.waitForFunction(
    (sel) => document.querySelector(sel)?.textContent === 'succeeded',
    testId('data-testid jobs-job-status'),
    { timeout: 60000 }
  );
  assert.equal(await status.innerText(), 'succeeded');
  const result = await admin.locator(testId('data-testid jobs-result')).innerText();
  assert.match(result, /[0-9a-f]{64}/, 'the snapshot’s sha256');
  assert.equal(await admin.locator(testId('data-testid jobs-cancel')).count(), 0, 'a finished job offers no cancel');
  await browser.checkPage(admin, 'jobs-02-snapshot-succeeded');
});

test('the list filtered by kind shows the job, and the filters stay in the URL', async () => {
  await admin.goto(`${baseURL}/ui/jobs?kind=snapshot&cluster=c1`);
  await admin.locator(testId(`data-testid jobs-row ${snapshotJob}`)).waitFor();
  assert.equal(await admin.locator(testId('data-testid jobs-filter-kind')).inputValue(), 'snapshot');
  await browser.checkPage(admin, 'jobs-03-list');

  await admin.locator(testId('data-testid jobs-filter-kind')).selectOption('defragment');
  await admin.locator(testId('data-testid jobs-apply')).click();
  await admin.waitForURL(/kind=defragment/);
  await admin.locator(testId(`data-testid jobs-row ${snapshotJob}`)).waitFor({ state: 'detached' });
});

test('Defragment now shows the dry-run job’s plan and defragments nothing until confirmed', async () => {
  await admin.goto(`${baseURL}/ui/maintenance?cluster=c1`);
  await admin.locator(testId('data-testid maintenance-defrag-now')).click();
  const dialog = admin.getByRole('dialog');
  await dialog.waitFor({ timeout: 60000 });
  assert.equal(await dialog.locator('[data-testid^="data-testid jobs-member "]').count(), 3);
  await browser.checkPage(admin, 'jobs-04-defrag-plan');
  await dialog.getByRole('button', { name: 'Not now' }).click();
  await dialog.waitFor({ state: 'detached' });

  // Only the dry run ran: the list of defragment jobs holds that one job, and it changed nothing.
  await admin.goto(`${baseURL}/ui/jobs?kind=defragment`);
  await admin.locator(testId('data-testid jobs-table')).waitFor();
  assert.equal(await admin.locator('[data-testid^="data-testid jobs-row "]').count(), 1);
});
