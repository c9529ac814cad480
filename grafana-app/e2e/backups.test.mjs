// The Backups page in Chromium against a real opsproxy (its in-process job queue, the backup
// engine, a directory location "local" in a temporary directory that the Go driver configures)
// and a real 3-member etcd: an admin backs up now and follows the job, sees the backup verified,
// opens it in the drawer (its record and events), drills it (a throwaway member restored from it
// serves the recorded revision, HashKV and key count), downloads it (the etcd snapshot, whose
// sha256 is the recorded one) and restores it into a new data directory; the same directory
// again is refused. A viewer is offered no Backups page and the API refuses it the backups.
// Every page is checked by Browser.checkPage (no console errors, axe-core, a screenshot).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId, TOKEN_KEY } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');
// A job is queued, runs (a drill starts and stops an etcd member) and is stored; the machine
// running the tests may be busy.
const JOB_TIMEOUT = 120_000;

const backupsURL = (query) => `${baseURL}/ui/backups?${new URLSearchParams({ cluster: 'c1', ...query })}`;
const id = (s) => testId(`data-testid ${s}`);

// waitForText waits until the element of selector sel has text matching pattern, and answers it.
async function waitForText(page, sel, pattern, timeout = 30_000) {
  await page.waitForFunction(
    ({ sel, source, flags }) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
    { sel, source: pattern.source, flags: pattern.flags },
    { timeout }
  );
  return page.locator(sel).innerText();
}

// api calls opsproxy from the page with the token the page signed in with.
function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body, tokenKey }) => {
      const headers = { Authorization: `Bearer ${sessionStorage.getItem(tokenKey)}` };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
      }
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: r.status, body: json };
    },
    { method, path, body, tokenKey: TOKEN_KEY }
  );
}

// confirm presses the confirmation dialog's button.
async function confirm(page, name) {
  const dialog = page.getByRole('dialog').filter({ has: page.getByRole('button', { name, exact: true }) });
  await dialog.getByRole('button', { name, exact: true }).click();
}

const jobLines = '[data-testid^="data-testid backups-job "]';

// followNewJob waits for a job line beyond the before there were, and answers the job's id, its
// line and its outcome once it ends.
async function followNewJob(page, before) {
  await page.waitForFunction(
    ({ sel, n }) => document.querySelectorAll(sel).length > n,
    { sel: jobLines, n: before },
    {
      timeout: JOB_TIMEOUT,
    }
  );
  // The newest job is listed first.
  const line = page.locator(jobLines).first();
  const jobId = (await line.getAttribute('data-testid')).replace('data-testid backups-job ', '');
  const outcome = await waitForText(page, id(`backups-job-outcome ${jobId}`), /\S/, JOB_TIMEOUT);
  return { jobId, outcome: outcome.trim(), line: await line.innerText() };
}

// startJob presses the button of selector button, confirms, and follows the job it started.
async function startJob(page, button) {
  const before = await page.locator(jobLines).count();
  await page.locator(button).click();
  await confirm(page, 'Start');
  return followNewJob(page, before);
}

let browser;
let admin;
let made;

before(async () => {
  browser = await Browser.launch();
  admin = await browser.newPage();
  await signIn(admin, baseURL, adminToken);
});

after(async () => {
  await browser?.close();
});

test('an admin backs up now, follows the job and sees the backup verified', async () => {
  await admin.locator(id('console-nav backups')).click();
  await admin.waitForURL(/\/ui\/backups\?cluster=c1$/);
  const loc = await waitForText(admin, id('backups-location local'), /local/);
  assert.match(loc, /not encrypted/);
  assert.match(loc, /dir \//);
  assert.match(loc, /last 3/);
  await admin.locator(id('backups-list-empty')).waitFor();
  await browser.checkPage(admin, 'backups-01-empty');

  const job = await startJob(admin, id('backups-backup-now'));
  assert.match(job.line, /^Back up c1 to local: job \S+/);
  const m = job.outcome.match(/^Made (\S+)\.$/);
  assert.ok(m, `outcome: ${job.outcome}`);
  made = m[1];
  const row = admin.locator(id(`backups-row ${made}`));
  await row.waitFor();
  assert.equal(await admin.locator(id(`backups-verified ${made}`)).innerText(), '✓ ok');
  assert.equal(await admin.locator(id(`backups-drilled ${made}`)).innerText(), '—');
  const { status, body } = await api(admin, 'GET', '/api/v1/clusters/c1/backups?location=local');
  assert.equal(status, 200);
  assert.deepEqual(
    body.backups.map((b) => b.name),
    [made]
  );
  assert.ok(body.backups[0].key_count > 0, 'the live keys are recorded');
  // The location's latest activity: the backup and its verification.
  const activity = await waitForText(admin, id('backups-activity'), /verify/);
  assert.match(activity, new RegExp(`backup\\s+${made.replace(/\./g, '\\.')}\\s+ok`));
  assert.match(await row.innerText(), new RegExp(body.backups[0].key_count.toLocaleString('en-US')));
  await browser.checkPage(admin, 'backups-02-made');
});

test('the drawer shows the record and events; a drill restores the backup; Escape closes it', async () => {
  await admin.locator(id(`backups-open ${made}`)).click();
  await admin.waitForURL(new RegExp(`backup=${made.replace(/\./g, '\\.')}$`));
  const record = await waitForText(admin, id('backups-record'), /Streamed from/);
  assert.match(record, /member \S+/);
  const events = await admin.locator(id('backups-events')).innerText();
  assert.match(events, /backup/);
  await browser.checkPage(admin, 'backups-03-drawer');

  const drill = await startJob(admin, id('backups-drill'));
  assert.equal(drill.outcome, 'Done.');
  await waitForText(admin, id(`backups-drilled ${made}`), /^✓ restored/, JOB_TIMEOUT);
  await waitForText(admin, id('backups-events'), /drill/);

  // From the keyboard: focus on one of the drawer's buttons, Escape.
  await admin.locator(id('backups-verify')).focus();
  await admin.keyboard.press('Escape');
  await admin.waitForURL(/\/ui\/backups\?cluster=c1$/);
  await admin.locator(id('backups-detail')).waitFor({ state: 'detached' });
  await browser.checkPage(admin, 'backups');
});

test('an admin downloads the backup: the etcd snapshot the record describes', async () => {
  await admin.goto(backupsURL({ location: 'local', backup: made }));
  await admin.locator(id('backups-record')).waitFor();
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.locator(id('backups-download')).click()]);
  assert.equal(download.suggestedFilename(), made.replace(/\.age$/, ''));
  const file = await readFile(await download.path());
  const { body } = await api(admin, 'GET', `/api/v1/clusters/c1/backups/local/${encodeURIComponent(made)}`);
  assert.equal(file.length, body.record.snapshot_size);
  assert.equal(createHash('sha256').update(file).digest('hex'), body.record.sha256);
});

test('an admin restores the backup into a new data directory; the same directory again is refused', async () => {
  const restore = async () => {
    await admin.locator(id('backups-restore')).click();
    const form = admin.locator(id('backups-restore-form'));
    await form.waitFor();
    // The form takes the keyboard's focus where it opens.
    assert.equal(await admin.evaluate(() => document.activeElement?.id), 'backups-restore-data-dir');
    await admin.keyboard.type('e2e-restored');
    await admin.locator('#backups-restore-member').fill('e2e-m1');
    await admin.locator('#backups-restore-peer-urls').fill('http://127.0.0.1:23800');
    await form.getByRole('button', { name: 'Restore…' }).click();
    const text = await admin.locator(id('backups-restore-confirm')).innerText();
    assert.match(text, /writes a NEW data directory e2e-restored/);
    assert.match(text, /never touches a running member/);
  };
  await restore();
  await browser.checkPage(admin, 'backups-04-restore-confirm');
  const before = await admin.locator(jobLines).count();
  await confirm(admin, 'Write the new directory');
  const job = await followNewJob(admin, before);
  assert.match(job.line, /^Restore \S+ into e2e-restored: job/);
  assert.match(job.outcome, /^Wrote the new data directory \S+e2e-restored\.$/);
  await waitForText(admin, id('backups-events'), /restore/);

  // The same directory again: refused before any job is made (409), the directory named.
  browser.expectedFailures.add(`${baseURL}/api/v1/jobs`);
  await restore();
  await confirm(admin, 'Write the new directory');
  const refused = await waitForText(admin, id('backups-start-error'), /already exists/);
  assert.match(refused, /data_dir "e2e-restored" already exists: restore only writes new directories/);
  assert.equal(await admin.locator(jobLines).count(), before + 1, 'no job for the refused restore');
  await browser.checkPage(admin, 'backups-05-restore-refused');
});

test('a viewer is offered no Backups page, and the API refuses it the backups', async () => {
  const viewer = await browser.newPage();
  await signIn(viewer, baseURL, viewerToken);
  assert.equal(await viewer.locator(id('console-nav backups')).count(), 0);
  await viewer.goto(backupsURL({}));
  await waitForText(viewer, 'main', /Backups needs the admin role/);
  await browser.checkPage(viewer, 'backups-06-viewer');

  // What the page would not offer, called from the page with the viewer's own token.
  const list = `${baseURL}/api/v1/clusters/c1/backups`;
  const download = `${baseURL}/api/v1/clusters/c1/backups/local/${encodeURIComponent(made)}/download`;
  browser.expectedFailures.add(list);
  browser.expectedFailures.add(download);
  const r1 = await api(viewer, 'GET', '/api/v1/clusters/c1/backups');
  assert.equal(r1.status, 403);
  assert.match(r1.body.error, /role viewer/);
  const r2 = await api(viewer, 'GET', `/api/v1/clusters/c1/backups/local/${encodeURIComponent(made)}/download`);
  assert.equal(r2.status, 403);
  await viewer.close();
});
