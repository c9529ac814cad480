// The Keys page in Chromium against a real opsproxy and a real 3-member etcd: page to the end of
// a 10,000-key prefix, put a key and see it arrive in a running watch in a second tab, a
// compare-and-swap conflict shown and nothing overwritten, delete with confirmation (a prefix
// only once typed), a viewer offered no write and refused (and audited) when it forces one,
// audit verification at the end. It prints the figures of the 100,000-key prefix: time to the
// first page from navigation, and the JS heap while paging through all of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId, TOKEN_KEY } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');
// etcdURL is the driver's door to etcd itself (PUT/GET /key?key=), behind opsproxy's back.
const etcdURL = env('ETCD_DIRECT_URL');
const browsePrefix = env('BROWSE_PREFIX');
const browseKeys = Number(env('BROWSE_KEYS'));
const bigPrefix = env('BIG_PREFIX');
const bigKeys = Number(env('BIG_KEYS'));

const seedKey = (prefix, i) => `${prefix}key-${String(i).padStart(6, '0')}`;
const keysURL = (query) => `${baseURL}/ui/keys?${new URLSearchParams({ cluster: 'c1', ...query })}`;
const count = (page) => page.locator(testId('data-testid keys-count'));

async function etcdGet(key) {
  const r = await fetch(`${etcdURL}/key?${new URLSearchParams({ key })}`);
  assert.equal(r.status, 200, `etcd read of ${key}`);
  return r.json();
}

async function etcdPut(key, value) {
  const r = await fetch(`${etcdURL}/key?${new URLSearchParams({ key })}`, { method: 'PUT', body: value });
  assert.equal(r.status, 200, `etcd write of ${key}`);
}

// heap is the page's JS heap in use after a garbage collection, and its DOM node count, from the
// DevTools protocol.
async function heap(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  return { heapMB: m.JSHeapUsedSize / 2 ** 20, nodes: m.Nodes };
}

// pageToEnd pages the key list to its end from the keyboard (End in the list loads the next
// page), measuring the heap at the start, past the middle and at the end; it answers the
// measures and the number of pages read.
async function pageToEnd(page, total) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const list = page.locator(testId('data-testid keys-list'));
  const measures = { start: await heap(cdp) };
  let pages = 1;
  for (;;) {
    const text = await count(page).innerText();
    if (!/more to come/.test(text)) {
      break;
    }
    const loaded = Number(text.replace(/ keys.*/s, '').replace(/,/g, ''));
    if (!measures.middle && loaded >= total / 2) {
      measures.middle = await heap(cdp);
    }
    await list.focus();
    await page.keyboard.press('End');
    await page.waitForFunction(
      ({ sel, before }) => document.querySelector(sel)?.innerText !== before,
      { sel: testId('data-testid keys-count'), before: text },
      { timeout: 30_000 }
    );
    pages++;
  }
  // The last page arrived with the keyboard on the row before it: End again reaches the last key.
  await list.focus();
  await page.keyboard.press('End');
  measures.end = await heap(cdp);
  await cdp.detach();
  return { measures, pages };
}

function heapFigure(what, { measures, pages }) {
  const f = (m) => `${m.heapMB.toFixed(1)} MB (${m.nodes} DOM nodes)`;
  console.log(
    `figure: ${what}, ${pages} pages: JS heap after GC at start ${f(measures.start)}, ` +
      `middle ${f(measures.middle ?? measures.start)}, end ${f(measures.end)}`
  );
}

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

test('the 10,000-key prefix pages to its end, the count and the last key shown', async () => {
  await admin.goto(keysURL({ prefix: browsePrefix }));
  await admin.locator(testId(`data-testid keys-row ${seedKey(browsePrefix, 0)}`)).waitFor();
  assert.match(await count(admin).innerText(), /^500 keys loaded, more to come at revision \d+$/);
  await browser.checkPage(admin, '11-keys-first-page');

  const paged = await pageToEnd(admin, browseKeys);
  assert.equal(paged.pages, browseKeys / 500);
  assert.match(await count(admin).innerText(), /^10,000 keys at revision \d+$/);
  const last = admin.locator(testId(`data-testid keys-row ${seedKey(browsePrefix, browseKeys - 1)}`));
  await last.waitFor();
  assert.equal(await admin.locator(testId('data-testid keys-load-more')).count(), 0, 'no more to load');
  // The list keeps only the rows in view in the DOM.
  assert.ok((await admin.locator('[data-testid^="data-testid keys-row "]').count()) < 100);
  await last.click();
  await admin.locator(testId('data-testid keys-meta')).waitFor();
  assert.match(await admin.locator(testId('data-testid keys-value')).innerText(), /"n":\s*9999/);
  await browser.checkPage(admin, '12-keys-last-page');
  heapFigure(`Keys page paging through ${browseKeys.toLocaleString('en-US')} keys`, paged);
});

test('a key put through the page arrives in a running watch in another tab', async () => {
  const watcher = await browser.newPage();
  await signIn(watcher, baseURL, adminToken);
  await watcher.goto(`${baseURL}/ui/watch?${new URLSearchParams({ cluster: 'c1', key: '/e2e/new/', prefix: '1' })}`);
  await watcher.locator(testId('data-testid watch-status')).filter({ hasText: 'Connected, watching' }).waitFor();
  await browser.checkPage(watcher, '13-watch-running');

  await admin.goto(keysURL({ prefix: '/e2e/new/' }));
  await admin.locator(testId('data-testid keys-empty')).waitFor();
  await admin.locator(testId('data-testid keys-new')).click();
  await admin.locator('#keys-editor-key').fill('/e2e/new/greeting');
  await admin.locator('#keys-editor-value').fill('hello from the browser');
  await browser.checkPage(admin, '14-keys-new-key');
  await admin.locator(testId('data-testid keys-save')).click();
  await admin.locator(testId('data-testid keys-meta')).waitFor();
  assert.match(admin.url(), /key=%2Fe2e%2Fnew%2Fgreeting/);

  const event = watcher.locator(testId('data-testid watch-events')).locator('tr', { hasText: '/e2e/new/greeting' });
  await event.waitFor();
  assert.match(await event.innerText(), /put[\s\S]*hello from the browser/);
  await browser.checkPage(watcher, '15-watch-received-put');
  assert.equal((await etcdGet('/e2e/new/greeting')).value, 'hello from the browser');
  await watcher.close();
});

test('a compare-and-swap conflict is shown and nothing is overwritten', async () => {
  const cas = `${baseURL}/api/v1/clusters/c1/keys/cas`;
  browser.expectedFailures.add(cas);
  await admin.goto(keysURL({ prefix: '/e2e/new/', key: '/e2e/new/greeting' }));
  await admin.locator(testId('data-testid keys-edit')).click();
  await admin.locator('#keys-editor-value').fill('mine, from the page');
  // Another client changes the key in etcd between the read and the save.
  await etcdPut('/e2e/new/greeting', 'theirs, straight into etcd');
  await admin.locator(testId('data-testid keys-save')).click();

  const conflict = admin.locator(testId('data-testid keys-conflict'));
  await conflict.waitFor();
  const text = await conflict.innerText();
  assert.match(text, /theirs, straight into etcd/);
  assert.match(text, /Nothing was written/);
  assert.equal((await etcdGet('/e2e/new/greeting')).value, 'theirs, straight into etcd');
  assert.equal(await admin.locator('#keys-editor-value').inputValue(), 'mine, from the page', 'the edit is kept');
  await browser.checkPage(admin, '16-keys-cas-conflict');
});

test('delete asks first; deleting a prefix needs the prefix typed', async () => {
  await admin.goto(keysURL({ prefix: '/e2e/new/', key: '/e2e/new/greeting' }));
  await admin.locator(testId('data-testid keys-delete')).click();
  const dialog = admin.getByRole('dialog');
  await dialog.locator(testId('data-testid keys-confirm')).waitFor();
  await browser.checkPage(admin, '17-keys-confirm-delete');
  await dialog.getByRole('button', { name: 'Delete key' }).click();
  await dialog.waitFor({ state: 'detached' });
  await admin.locator(testId('data-testid keys-empty')).waitFor();
  assert.equal((await etcdGet('/e2e/new/greeting')).exists, false);

  for (const name of ['a', 'b', 'c']) {
    await etcdPut(`/e2e/doomed/${name}`, name);
  }
  await admin.goto(keysURL({ prefix: '/e2e/doomed/' }));
  await admin.locator(testId('data-testid keys-row /e2e/doomed/c')).waitFor();
  await admin.locator(testId('data-testid keys-delete-prefix')).click();
  await dialog.locator(testId('data-testid keys-confirm')).waitFor();
  const confirm = dialog.getByRole('button', { name: 'Delete keys' });
  assert.equal(await confirm.isDisabled(), true, 'not before the prefix is typed');
  const typed = dialog.locator(testId('data-testid Confirm Modal Input'));
  assert.equal(await typed.getAttribute('placeholder'), 'Type "/e2e/doomed/" to confirm');
  await typed.fill('/e2e/doomed');
  assert.equal(await confirm.isDisabled(), true, 'not with a different prefix');
  await typed.fill('/e2e/doomed/');
  await browser.checkPage(admin, '18-keys-confirm-delete-prefix');
  await confirm.click();
  const done = admin.locator(testId('data-testid keys-action-done'));
  await done.waitFor();
  assert.equal(await done.innerText(), 'Deleted 3 keys under /e2e/doomed/.');
  for (const name of ['a', 'b', 'c']) {
    assert.equal((await etcdGet(`/e2e/doomed/${name}`)).exists, false);
  }
});

test('a viewer is offered no write on Keys; a forced one is refused and audited', async () => {
  const viewer = await browser.newPage();
  await signIn(viewer, baseURL, viewerToken);
  const key = seedKey(browsePrefix, 0);
  await viewer.goto(keysURL({ prefix: browsePrefix, key }));
  await viewer.locator(testId('data-testid keys-meta')).waitFor();
  for (const id of ['keys-new', 'keys-delete-prefix', 'keys-edit', 'keys-delete']) {
    assert.equal(await viewer.locator(testId(`data-testid ${id}`)).count(), 0, `${id} offered to a viewer`);
  }
  await browser.checkPage(viewer, '19-keys-viewer');

  const forced = `${baseURL}/api/v1/clusters/c1/keys`;
  browser.expectedFailures.add(forced);
  const refused = await viewer.evaluate(
    async ({ url, key, tokenKey }) => {
      const r = await fetch(url, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${sessionStorage.getItem(tokenKey)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ key, value: 'forced by a viewer' }),
      });
      return { status: r.status, body: await r.json() };
    },
    { url: forced, key, tokenKey: TOKEN_KEY }
  );
  assert.equal(refused.status, 403);
  assert.match(refused.body.error, /role viewer may not/);
  assert.equal((await etcdGet(key)).value, '{"n":0}', 'the value is unchanged');

  await viewer.goto(`${baseURL}/ui/audit?operation=keys.put&outcome=denied`);
  const table = viewer.locator(testId('data-testid audit-table'));
  await table.waitFor();
  const audit = await table.innerText();
  assert.match(audit, /keys\.put/);
  assert.match(audit, /denied/);
  assert.match(audit, /viewer/);
  await browser.checkPage(viewer, '20-audit-viewer-keys-denied');
  await viewer.close();
});

test('the audit log of all of it verifies', async () => {
  await admin.goto(`${baseURL}/ui/audit`);
  await admin.locator(testId('data-testid audit-table')).waitFor();
  const audit = await admin.locator(testId('data-testid audit-table')).innerText();
  assert.match(audit, /keys\.cas/);
  assert.match(audit, /keys\.delete/);
  await admin.locator(testId('data-testid audit-verify')).click();
  await admin.locator(testId('data-testid audit-verify-ok')).waitFor();
  await browser.checkPage(admin, '21-audit-verified-after-keys');
});

test('figures: the 100,000-key prefix, first page from navigation and the heap paging through it', async () => {
  await admin.goto(keysURL({ prefix: bigPrefix }));
  await admin.locator(testId(`data-testid keys-row ${seedKey(bigPrefix, 0)}`)).waitFor();
  const firstPageMs = await admin.evaluate(
    () => performance.getEntriesByName('etcdmonitor:keys:first-page')[0]?.startTime
  );
  assert.ok(firstPageMs !== undefined, 'the first page was marked');
  console.log(
    `figure: Keys page first page of the ${bigKeys.toLocaleString('en-US')}-key prefix ` +
      `${Math.round(firstPageMs)} ms after navigation start (target <= 1000 ms)`
  );
  await browser.checkPage(admin, '22-keys-100k-first-page');

  const paged = await pageToEnd(admin, bigKeys);
  assert.match(await count(admin).innerText(), /^100,000 keys at revision \d+$/);
  await admin.locator(testId(`data-testid keys-row ${seedKey(bigPrefix, bigKeys - 1)}`)).waitFor();
  heapFigure(`Keys page paging through ${bigKeys.toLocaleString('en-US')} keys`, paged);
});
