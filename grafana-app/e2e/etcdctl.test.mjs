// The Console page (etcdctl commands, issue #14) in Chromium against a real opsproxy and a real
// 3-member etcd: type a partial key, Tab completes it from the live keyspace, run `get` and see
// the value (as text and in the structured view); a viewer's `put` is refused, named and leaves
// the key unchanged; the history store brings the lines back after a reload for ↑ and Ctrl-R.
// Every page is checked by Browser.checkPage (no console errors, axe-core, a screenshot).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');
// The key the Go driver wrote straight into etcd, and its value.
const key = env('ETCDCTL_KEY');
const value = env('ETCDCTL_VALUE');
const direct = env('ETCD_DIRECT_URL');

const ids = {
  input: testId('data-testid etcdctl-input'),
  stdout: testId('data-testid etcdctl-stdout'),
  refusal: testId('data-testid etcdctl-refusal'),
  toggle: testId('data-testid etcdctl-structured-toggle'),
  kvTable: testId('data-testid etcdctl-kv-table'),
  completions: testId('data-testid etcdctl-completions'),
  search: testId('data-testid etcdctl-search-input'),
};

let browser;

before(async () => {
  browser = await Browser.launch();
});

after(async () => {
  await browser?.close();
});

// openConsole opens the Console page of c1 signed in with token and answers the page and its input.
async function openConsole(token) {
  const page = await browser.newPage();
  await signIn(page, baseURL, token);
  await page.goto(`${baseURL}/ui/console?cluster=c1`);
  const input = page.locator(ids.input);
  await input.waitFor();
  return { page, input };
}

// inputIs waits until the command line holds text.
async function inputIs(page, text) {
  await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.value === want, [ids.input, text]);
}

test('Tab completes a partial key from the live keyspace; get shows its value', async () => {
  const { page, input } = await openConsole(adminToken);
  // The key's parent folder, cut short: Tab completes the folder, then the key in it.
  const folder = key.slice(0, key.lastIndexOf('/') + 1);
  const partial = folder.slice(0, folder.length - 3);
  await input.click();
  await page.keyboard.type(`get ${partial}`);
  await page.keyboard.press('Tab');
  await inputIs(page, `get ${folder}`);
  await page.keyboard.press('Tab');
  // A whole key is followed by a space, as shells complete.
  await inputIs(page, `get ${key} `);

  const started = Date.now();
  await page.keyboard.press('Enter');
  const stdout = page.locator(ids.stdout).last();
  await stdout.waitFor();
  console.log(`figure: console get round trip seen in the page ${Date.now() - started} ms (under contention)`);
  // Exactly what etcdctl prints: the key, then the value, each on its line.
  assert.equal(await stdout.textContent(), `${key}\n${value}\n`);
  assert.equal(await input.inputValue(), '', 'the prompt is empty again');

  await page.locator(ids.toggle).last().click();
  const table = page.locator(ids.kvTable).last();
  await table.waitFor();
  const row = await table.locator('tbody tr').first().innerText();
  assert.ok(row.includes(key) && row.includes(value), `the structured view's row: ${row}`);

  // Several candidates (the seeded prefixes under /e2e/): a list with descriptions.
  await input.click();
  await page.keyboard.type('get /e2e/');
  await page.keyboard.press('Tab');
  const list = page.locator(ids.completions);
  await list.waitFor();
  assert.ok((await list.getByRole('option').count()) >= 2, 'the prefixes under /e2e/ are listed');
  assert.ok((await list.innerText()).includes(folder), `the list offers ${folder}`);
  await browser.checkPage(page, 'etcdctl-console');
  await page.keyboard.press('Escape');
  await list.waitFor({ state: 'detached' });
  await page.close();
});

test('a viewer’s put is refused and named; the key keeps its value', async () => {
  const { page, input } = await openConsole(viewerToken);
  browser.expectedFailures.add(`${baseURL}/api/v1/clusters/c1/console`);
  await input.click();
  await page.keyboard.type(`put ${key} changed-by-a-viewer`);
  await page.keyboard.press('Enter');
  const refusal = page.locator(ids.refusal);
  await refusal.waitFor();
  const text = await refusal.innerText();
  assert.match(text, /Refused \(403\)/);
  assert.match(text, /viewer/);
  assert.match(text, /exit code 1/);
  assert.ok(!text.includes('changed-by-a-viewer'), 'the refusal does not echo the value');

  const etcd = await (await fetch(`${direct}/key?key=${encodeURIComponent(key)}`)).json();
  assert.equal(etcd.value, value, 'etcd still holds the value');
  await browser.checkPage(page, 'etcdctl-viewer-refused');
  await page.close();
});

test('the history comes back after a reload: ↑ and Ctrl-R', async () => {
  const { page, input } = await openConsole(adminToken);
  await input.click();
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction((sel) => document.querySelector(sel)?.value !== '', ids.input);
  assert.match(await input.inputValue(), /^get /, 'the newest line of the admin’s history on c1');

  await page.keyboard.press('Control+r');
  const search = page.locator(ids.search);
  await search.waitFor();
  await page.keyboard.type(key.slice(-6));
  await page.keyboard.press('Enter');
  await inputIs(page, `get ${key}`);
  await browser.checkPage(page, 'etcdctl-history-search');
  await page.close();
});

test('Shift+Enter writes a txn over several lines; Enter runs it', async () => {
  const { page, input } = await openConsole(adminToken);
  await input.click();
  // The command, its compares, a blank line, the success requests, a blank line, the failure requests.
  const lines = ['txn', `value("${key}") = "${value}"`, '', `get ${key}`, '', `put ${key} "not expected"`];
  for (const [i, line] of lines.entries()) {
    if (i > 0) {
      await page.keyboard.press('Shift+Enter');
    }
    await page.keyboard.type(line);
  }
  assert.equal(await input.inputValue(), lines.join('\n'));
  await page.keyboard.press('Enter');
  const stdout = page.locator(ids.stdout).last();
  await stdout.waitFor();
  assert.equal(await stdout.textContent(), `SUCCESS\n\n${key}\n${value}\n`);
  await browser.checkPage(page, 'etcdctl-txn');
  await page.close();
});
