// The Benchmarks page in Chromium against a real opsproxy (its in-process job queue and the
// benchmark engine) and a real 3-member etcd: an admin starts a small custom put run, follows its
// progress and sees its latency distribution; a second run is overlaid on the first and compared
// with it; the first is made a baseline and compared with it. A viewer is offered no start and no
// baseline, and a forced start and a forced baseline are refused (the Go driver checks the audit).
// Every page is checked by Browser.checkPage (no console errors, axe-core, a screenshot);
// benchmarks.png is the two runs overlaid.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, env, signIn, testId, TOKEN_KEY } from './lib/browser.mjs';

const baseURL = env('OPSPROXY_URL');
const adminToken = env('ADMIN_TOKEN');
const viewerToken = env('VIEWER_TOKEN');

// The runs are rate-limited so that each lasts about six seconds: long enough for the page to
// show a running job's progress and request rate, and for the comparison to have per-second
// samples; short enough to keep the scenario brief.
const TOTAL = 300;
const FLAGS = `--total=${TOTAL} --clients=2 --conns=1 --rate=50`;
// A run is queued, runs and is stored; the machine running the tests may be busy.
const RUN_TIMEOUT = 60_000;

const benchmarksURL = (query) => `${baseURL}/ui/benchmarks?${new URLSearchParams({ cluster: 'c1', ...query })}`;

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

// runBenchmark starts a run with the form as it is filled, waits for the job's progress while it
// runs and for its outcome, and answers the id of the run the job stored.
async function runBenchmark(page, previousJob) {
  await page.locator(testId('data-testid benchmarks-run')).click();
  const progress = 'data-testid benchmarks-progress';
  const running = await waitForText(
    page,
    progress,
    new RegExp(`^Job (\\S+): running — step 1 of 1 \\(put\\): [\\d,]+ / ${TOTAL} requests`),
    RUN_TIMEOUT
  );
  const job = running.match(/^Job (\S+):/)[1];
  assert.notEqual(job, previousJob, 'a new job');
  // The request rate, measured between two progress reports, while the job runs.
  await page.locator(testId('data-testid benchmarks-live-rate')).waitFor({ timeout: RUN_TIMEOUT });
  assert.match(await page.locator(testId('data-testid benchmarks-live-rate')).innerText(), /at [\d,]+\/s/);

  const outcome = await waitForText(page, 'data-testid benchmarks-job-outcome', /\S/, RUN_TIMEOUT);
  assert.equal(outcome, 'Finished; its runs are listed below.');
  assert.match(
    await page.locator(testId(progress)).innerText(),
    new RegExp(`succeeded — step 1 of 1 \\(put\\): ${TOTAL} / ${TOTAL} requests`)
  );
  const { status, body } = await api(page, 'GET', `/api/v1/jobs/${encodeURIComponent(job)}`);
  assert.equal(status, 200);
  assert.equal(body.result.results.length, 1, 'one step, one stored run');
  const run = body.result.results[0];
  // The page reads the list again when the job ends.
  await page.locator(testId(`data-testid benchmarks-row ${run}`)).waitFor();
  return { job, run };
}

// percentilePoints is the number of points of a run's line in the latency chart.
async function percentilePoints(page, run) {
  const points = await page
    .locator(`${testId(`data-testid benchmarks-series ${run}`)} polyline`)
    .getAttribute('points');
  return points.trim().split(/\s+/).length;
}

let browser;
let admin;
let first;
let second;

before(async () => {
  browser = await Browser.launch();
  admin = await browser.newPage();
  await signIn(admin, baseURL, adminToken);
});

after(async () => {
  await browser?.close();
});

test('an admin starts a custom put run, follows its progress and sees its latency distribution', async () => {
  await admin.goto(benchmarksURL({}));
  await admin.locator(testId('data-testid benchmarks-runs-empty')).waitFor();
  await admin.locator(testId('data-testid benchmarks-profile')).selectOption('custom');
  await admin.locator(testId('data-testid benchmarks-command')).selectOption('put');
  await admin.locator(testId('data-testid benchmarks-flags')).fill(FLAGS);

  first = await runBenchmark(admin);
  const row = await admin.locator(testId(`data-testid benchmarks-row ${first.run}`)).innerText();
  assert.match(row, /custom\s+put/);
  assert.match(row, new RegExp(`\\b${TOTAL}$`), 'the requests done');

  await admin.locator(testId(`data-testid benchmarks-select ${first.run}`)).click();
  await admin.waitForURL(new RegExp(`runs=${first.run}$`));
  await admin.locator(testId('data-testid benchmarks-chart')).waitFor();
  // Every percentile from p10 to p99.9 has its point.
  assert.equal(await percentilePoints(admin, first.run), 8);
  const detail = await admin.locator(testId('data-testid benchmarks-detail')).innerText();
  assert.match(
    detail,
    new RegExp(`custom put ${first.run.slice(0, 8)}: [\\d,]+/s, p50 [\\d.]+ (ms|µs), p99 [\\d.]+ (ms|µs)`)
  );
  assert.equal(await admin.locator(testId('data-testid benchmarks-samples throughput')).count(), 1);
  await browser.checkPage(admin, 'benchmarks-01-run');
});

test('a second run is overlaid on the first and the first compared with it', async () => {
  // The form keeps the custom command and its flags.
  second = await runBenchmark(admin, first.job);
  await admin.locator(testId(`data-testid benchmarks-select ${second.run}`)).click();
  await admin.waitForURL(new RegExp(`runs=${first.run}%2C${second.run}$|runs=${first.run},${second.run}$`));

  await admin.locator(testId(`data-testid benchmarks-series ${second.run}`)).waitFor();
  assert.equal(await percentilePoints(admin, first.run), 8);
  assert.equal(await percentilePoints(admin, second.run), 8);
  const badge = await waitForText(admin, 'data-testid benchmarks-regression', /against run/);
  assert.match(badge, new RegExp(`^(regressed|improved|unchanged) against run ${second.run.slice(0, 8)}`));
  assert.match(badge, /^throughput: (regressed|improved|unchanged), [+-][\d.]+ %/m);
  assert.match(badge, /^p99: (regressed|improved|unchanged), [+-][\d.]+ %/m);
  // One baseline form is for one run: two selected runs offer none.
  assert.equal(await admin.locator(testId('data-testid benchmarks-set-baseline')).count(), 0);
  await browser.checkPage(admin, 'benchmarks');
});

test('an admin makes the first run the baseline and compares it with the baseline', async () => {
  await admin.locator(testId(`data-testid benchmarks-select ${second.run}`)).click();
  await admin.waitForURL(new RegExp(`runs=${first.run}$`));
  await admin.locator(testId('data-testid benchmarks-baseline-name')).fill('e2e-golden');
  await admin.locator(testId('data-testid benchmarks-set-baseline')).click();
  await waitForText(admin, 'data-testid benchmarks-baseline-message', /^Baseline e2e-golden now points at this run\.$/);

  await admin.locator(testId('data-testid benchmarks-compare-baseline')).click();
  // A run compared with itself has not changed.
  const badge = await waitForText(admin, 'data-testid benchmarks-regression', /against baseline e2e-golden/);
  assert.match(badge, /^unchanged against baseline e2e-golden/);
  const baseline = await api(admin, 'GET', '/api/v1/clusters/c1/baselines/e2e-golden');
  assert.equal(baseline.status, 200);
  assert.equal(baseline.body.run.id, first.run);
  assert.equal(baseline.body.set_by, 'test-admin');
  await browser.checkPage(admin, 'benchmarks-03-baseline');
});

test('a viewer sees the runs and the baseline, is offered no start, and a forced one is refused', async () => {
  const viewer = await browser.newPage();
  await signIn(viewer, baseURL, viewerToken);
  await viewer.goto(benchmarksURL({ runs: first.run }));
  await viewer.locator(testId('data-testid benchmarks-chart')).waitFor();
  await viewer.locator(testId(`data-testid benchmarks-row ${second.run}`)).waitFor();
  for (const id of ['benchmarks-start', 'benchmarks-run', 'benchmarks-set-baseline']) {
    assert.equal(await viewer.locator(testId(`data-testid ${id}`)).count(), 0, `${id} offered to a viewer`);
  }
  await viewer.locator(testId('data-testid benchmarks-baseline-name')).fill('e2e-golden');
  await viewer.locator(testId('data-testid benchmarks-compare-baseline')).click();
  await waitForText(viewer, 'data-testid benchmarks-regression', /^unchanged against baseline e2e-golden/);
  await browser.checkPage(viewer, 'benchmarks-04-viewer');

  // What the page would not offer, called from the page with its own token.
  const forcedStart = `${baseURL}/api/v1/jobs`;
  const forcedBaseline = `${baseURL}/api/v1/clusters/c1/baselines/e2e-golden`;
  browser.expectedFailures.add(forcedStart);
  browser.expectedFailures.add(forcedBaseline);
  const start = await api(viewer, 'POST', '/api/v1/jobs', {
    kind: 'benchmark',
    cluster: 'c1',
    parameters: { command: 'put', flags: { total: '100' } },
    idempotency_key: 'forced-by-a-viewer',
  });
  assert.equal(start.status, 403);
  assert.match(start.body.error, /role viewer may not enqueue benchmark jobs: needs admin/);
  const baseline = await api(viewer, 'PUT', '/api/v1/clusters/c1/baselines/e2e-golden', { result_id: second.run });
  assert.equal(baseline.status, 403);
  assert.match(baseline.body.error, /role viewer may not/);

  // Nothing was enqueued and the baseline still points at the first run.
  const jobs = await api(viewer, 'GET', '/api/v1/jobs?kind=benchmark');
  assert.equal(jobs.status, 200);
  assert.deepEqual(jobs.body.jobs.map((j) => j.id).sort(), [first.job, second.job].sort());
  const unchanged = await api(viewer, 'GET', '/api/v1/clusters/c1/baselines/e2e-golden');
  assert.equal(unchanged.body.run.id, first.run);

  await viewer.goto(`${baseURL}/ui/audit?operation=jobs.enqueue&outcome=denied`);
  const table = viewer.locator(testId('data-testid audit-table'));
  await table.waitFor();
  const audit = await table.innerText();
  assert.match(audit, /jobs\.enqueue/);
  assert.match(audit, /denied/);
  assert.match(audit, /viewer/);
  await browser.checkPage(viewer, 'benchmarks-05-audit-viewer-denied');
  await viewer.close();
});
