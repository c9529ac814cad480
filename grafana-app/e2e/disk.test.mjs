// The Disk page in Chromium against a real opsproxy (its in-process job queue), a real 3-member
// etcd and a real diskprobe agent per member (internal/localagents, probing temporary
// directories): an admin probes one member with the native engine and fio (the small "agent"
// profile), follows both jobs, sees p99 against the 10 ms line, native beside fio, and one
// result in full with its histogram; the result is made the member's baseline and compared
// with it. A viewer is offered no start and no baseline, and a forced start and a forced
// baseline are refused (the Go driver checks the audit). Every page is checked by
// Browser.checkPage (no console errors, axe-core, a screenshot); disk.png is the results.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId, TOKEN_KEY } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');

// Two probes of 2 MiB of fdatasyncs, one after the other; the machine running the tests may be
// busy and its disk slow.
const RUN_TIMEOUT = 180_000;
const MEMBERS = ['m0', 'm1', 'm2'];

const diskURL = (query) => `${baseURL}/ui/disk?${new URLSearchParams({ cluster: 'c1', ...query })}`;

// waitForText waits until the element of test id id has text matching pattern.
async function waitForText(page, id, pattern, timeout = 30_000) {
  await page.waitForFunction(
    ({ sel, source, flags }) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
    { sel: testId(id), source: pattern.source, flags: pattern.flags },
    { timeout }
  );
  return page.locator(testId(id)).innerText();
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
      return { status: r.status, body: await r.json() };
    },
    { method, path, body, tokenKey: TOKEN_KEY }
  );
}

let browser;
let admin;
// The results the admin's probes stored, by engine.
const stored = {};

before(async () => {
  browser = await Browser.launch();
  admin = await browser.newPage();
  await signIn(admin, baseURL, adminToken);
});

after(async () => {
  await browser?.close();
});

test("the page lists the cluster's disk agents and says no test has run yet", async () => {
  await admin.goto(diskURL({}));
  await admin.locator(testId('data-testid disk-results-empty')).waitFor();
  const options = await admin.locator(`${testId('data-testid disk-member')} option`).allInnerTexts();
  assert.deepEqual(options, ['every member with an agent', ...MEMBERS]);
  assert.match(
    await admin.locator(testId('data-testid disk-start')).innerText(),
    /Probe every member with an agent \(m0, m1, m2\)/
  );
  await browser.checkPage(admin, 'disk-01-empty');
});

test('an admin probes m0 with native and fio, following both jobs, and sees them against the line', async () => {
  await admin.locator(testId('data-testid disk-member')).selectOption('m0');
  await admin.waitForURL(/member=m0/);
  await admin.locator(testId('data-testid disk-engine')).selectOption('both');
  await admin.locator(testId('data-testid disk-profile')).selectOption('agent');
  await admin.locator(testId('data-testid disk-threshold')).fill('10');
  await admin.locator(testId('data-testid disk-run')).click();

  const outcome = await waitForText(admin, 'data-testid disk-job-outcome', /\S/, RUN_TIMEOUT);
  const progress = await admin.locator(testId('data-testid disk-progress')).innerText();
  assert.equal(outcome, 'Finished; the results are below.', progress);
  assert.match(progress, /^native: job \S+ succeeded — 1 of 1 member probed — stored:\s+m0 (pass|fail)$/m);
  assert.match(progress, /^fio: job \S+ succeeded — 1 of 1 member probed — stored:\s+m0 (pass|fail)$/m);

  for (const engine of ['native', 'fio']) {
    const { status, body } = await api(admin, 'GET', `/api/v1/disktests?cluster=c1&member=m0&engine=${engine}`);
    assert.equal(status, 200);
    assert.equal(body.disktests.length, 1, `one ${engine} result`);
    const r = body.disktests[0];
    assert.equal(r.profile, 'agent');
    assert.equal(r.threshold, 0.01);
    stored[engine] = r;
    // The page reads the results again when a job ends.
    await admin.locator(testId(`data-testid disk-row ${r.id}`)).waitFor();
    const row = await admin.locator(testId(`data-testid disk-row ${r.id}`)).innerText();
    assert.match(row, new RegExp(`m0\\s+${engine}\\s+agent\\s+(pass|fail) \\(line 10\\.0 ms\\)`));
  }

  const history = admin.locator(testId('data-testid disk-history'));
  assert.match(await history.locator(testId('data-testid disk-threshold-line')).innerHTML(), /10\.0 ms line/);
  const m0 = history.locator(testId('data-testid disk-history-series m0'));
  assert.equal(await m0.locator('circle').count(), 1, 'one native point');
  assert.equal(await m0.locator('rect').count(), 1, 'one fio point');

  const pair = await admin.locator(testId('data-testid disk-pair m0')).innerText();
  assert.match(pair, /p99 [\d.]+ (ms|µs).*p99 [\d.]+ (ms|µs)/s);
  assert.match(pair, /×\d+\.\d\d (agree|native slower|native faster)\s+×\d+\.\d\d (agree|native slower|native faster)/);
  // The pointer leaves the start button it clicked, and axe reads the colours once the button's
  // transitions (out of hover, out of disabled) have ended: the page at rest, not a shade between
  // Grafana's hover and normal ones.
  await admin.mouse.move(0, 0);
  await admin.locator(testId('data-testid disk-run')).evaluate(async (el) => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    await Promise.all(el.getAnimations({ subtree: true }).map((a) => a.finished));
  });
  await browser.checkPage(admin, 'disk');
});

test('the native result in full: verdict against the line, figures, filesystem and the histogram', async () => {
  await admin.locator(testId(`data-testid disk-open ${stored.native.id}`)).click();
  await admin.waitForURL(new RegExp(`result=${stored.native.id}$`));
  const verdict = await waitForText(admin, 'data-testid disk-verdict', /line/);
  assert.match(verdict, /^(pass|fail) p99 [\d.]+ (ms|µs) against the 10\.0 ms line: p99 fdatasync \S+ is (not )?below/);
  const figures = await admin.locator(testId('data-testid disk-figures')).innerText();
  assert.match(figures, /p50\s+p90\s+p99\s+p99\.9\s+max/);
  assert.match(figures, /IOPS/);
  assert.match(await admin.locator(testId('data-testid disk-filesystem')).innerText(), /^Measured on \S+/);
  // The agent profile writes 2 MiB of 2,300-byte blocks: about 900 syncs, all in the bars.
  const bars = admin.locator(testId('data-testid disk-bars'));
  await bars.waitFor();
  assert.ok((await bars.locator('rect').count()) > 0, 'bars drawn');
  assert.match(await bars.getAttribute('aria-label'), /^fdatasync latency histogram: (9\d\d|1\d\d\d) syncs/);

  await admin.locator(testId('data-testid disk-set-baseline')).click();
  await waitForText(admin, 'data-testid disk-baseline-message', /^This result is now the baseline of m0\.$/);
  await admin.locator(testId('data-testid disk-compare-baseline')).click();
  // A result compared with itself has not changed.
  const comparison = await waitForText(admin, 'data-testid disk-comparison', /baseline/);
  assert.match(comparison, /^unchanged from the baseline .*p50 ×1\.00, p99 ×1\.00/);
  const baseline = await api(admin, 'GET', '/api/v1/clusters/c1/disk-baselines/m0');
  assert.equal(baseline.status, 200);
  assert.equal(baseline.body.run.id, stored.native.id);
  assert.equal(baseline.body.set_by, 'test-admin');
  await browser.checkPage(admin, 'disk-03-result');

  await admin.locator(testId(`data-testid disk-open ${stored.fio.id}`)).click();
  await waitForText(admin, 'data-testid disk-bars-note', /^No histogram: fio reports percentiles only\.$/);
});

test('a viewer reads the results but is offered no start and no baseline, and forced ones are refused', async () => {
  const viewer = await browser.newPage();
  await signIn(viewer, baseURL, viewerToken);
  await viewer.goto(diskURL({ member: 'm0', result: stored.native.id }));
  await viewer.locator(testId('data-testid disk-detail')).waitFor();
  await viewer.locator(testId(`data-testid disk-row ${stored.fio.id}`)).waitFor();
  for (const id of ['disk-start', 'disk-run', 'disk-set-baseline']) {
    assert.equal(await viewer.locator(testId(`data-testid ${id}`)).count(), 0, `${id} offered to a viewer`);
  }
  await viewer.locator(testId('data-testid disk-compare-baseline')).click();
  await waitForText(viewer, 'data-testid disk-comparison', /^unchanged from the baseline/);
  await browser.checkPage(viewer, 'disk-04-viewer');

  const forcedStart = `${baseURL}/api/v1/jobs`;
  const forcedBaseline = `${baseURL}/api/v1/clusters/c1/disk-baselines/m0`;
  browser.expectedFailures.add(forcedStart);
  browser.expectedFailures.add(forcedBaseline);
  const start = await api(viewer, 'POST', '/api/v1/jobs', {
    kind: 'disktest',
    cluster: 'c1',
    parameters: { member: 'm1', profile: 'agent' },
    idempotency_key: 'disk-forced-by-a-viewer',
  });
  assert.equal(start.status, 403);
  assert.match(start.body.error, /role viewer may not/);
  const baseline = await api(viewer, 'PUT', '/api/v1/clusters/c1/disk-baselines/m0', { result_id: stored.fio.id });
  assert.equal(baseline.status, 403);
  assert.match(baseline.body.error, /role viewer may not/);

  // Nothing was probed for the viewer and the baseline still points at the native result.
  const results = await api(viewer, 'GET', '/api/v1/disktests?cluster=c1');
  assert.deepEqual(results.body.disktests.map((r) => r.id).sort(), [stored.native.id, stored.fio.id].sort());
  const unchanged = await api(viewer, 'GET', '/api/v1/clusters/c1/disk-baselines/m0');
  assert.equal(unchanged.body.run.id, stored.native.id);
  await viewer.close();
});

test('an admin cancels a long probe from the page: the job ends cancelled and stores no result', async () => {
  await admin.goto(diskURL({ member: 'm1' }));
  await admin.locator(testId('data-testid disk-engine')).selectOption('native');
  // OpenShift's profile writes for 60 s: long enough to be cancelled while it runs.
  await admin.locator(testId('data-testid disk-profile')).selectOption('openshift');
  await admin.locator(testId('data-testid disk-run')).click();
  const running = await waitForText(admin, 'data-testid disk-progress', /^native: job \S+ running/, RUN_TIMEOUT);
  const job = running.match(/^native: job (\S+) running/)[1];
  await admin.locator(testId('data-testid disk-cancel')).click();
  const outcome = await waitForText(admin, 'data-testid disk-job-outcome', /\S/, RUN_TIMEOUT);
  assert.equal(outcome, 'Finished with a problem: see each job above.');
  assert.match(await admin.locator(testId('data-testid disk-progress')).innerText(), /^native: job \S+ cancelled/);
  const { status, body } = await api(admin, 'GET', `/api/v1/jobs/${encodeURIComponent(job)}`);
  assert.equal(status, 200);
  assert.equal(body.status, 'cancelled');
  const m1 = await api(admin, 'GET', '/api/v1/disktests?cluster=c1&member=m1');
  assert.deepEqual(
    m1.body.disktests.filter((r) => !r.partial).map((r) => r.id),
    [],
    'no complete result of the cancelled probe'
  );
  await admin.mouse.move(0, 0);
  await browser.checkPage(admin, 'disk-05-cancelled');
});
