// The browser side of the console's e2e scenarios: Debian's Chromium driven by playwright-core,
// with a fresh profile, the console's own checks on every page (no console errors, axe-core
// without serious or critical violations, a screenshot) and signing in. Each scenario file
// (e2e/*.test.mjs) uses it; the Go driver (internal/browsertest) starts opsproxy and etcd and
// passes where they are in the environment.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

// env is what the Go driver passes: opsproxy's URL and tokens, Chromium, the screenshot folder.
export function env(name) {
  const v = process.env[name];
  assert.ok(v, `${name} is not set: run the scenarios through \`make browser-test\``);
  return v;
}

export const TOKEN_KEY = 'etcdmonitor.console.token';

// The arguments of a headless Chromium that reaches nothing but the console.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// testId is the selector of a data-testid the pages use (their ids carry the "data-testid "
// prefix, as Grafana's e2e selectors do).
export const testId = (id) => `[data-testid="${id}"]`;

// Browser is one Chromium with a fresh user-data-dir; every page it opens is watched for
// console errors and uncaught exceptions, and every URL it visits is kept.
export class Browser {
  static async launch() {
    const profile = await mkdtemp(path.join(tmpdir(), 'console-e2e-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    const b = new Browser(context, profile);
    const shots = env('SCREENSHOT_DIR');
    await mkdir(shots, { recursive: true });
    b.screenshots = shots;
    b.axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    return b;
  }

  constructor(context, profile) {
    this.context = context;
    this.profile = profile;
    this.errors = [];
    this.visited = [];
    // expectedFailures are URLs whose refusal a scenario provoked (the browser logs it as an error).
    this.expectedFailures = new Set();
  }

  async newPage() {
    const page = await this.context.newPage();
    page.on('console', (msg) => {
      if (msg.type() !== 'error') {
        return;
      }
      const url = msg.location()?.url ?? '';
      if (this.expectedFailures.has(url)) {
        return;
      }
      this.errors.push(`console error on ${page.url()}: ${msg.text()} (${url})`);
    });
    page.on('pageerror', (err) => this.errors.push(`uncaught exception on ${page.url()}: ${err.message}`));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) {
        this.visited.push(frame.url());
      }
    });
    return page;
  }

  // checkPage runs axe-core on the page (injected through the DevTools protocol, not as a
  // <script>, so the console's Content-Security-Policy stays as served), fails on serious or
  // critical violations, writes a screenshot named name and fails on console errors so far.
  async checkPage(page, name) {
    await page.evaluate(this.axeSource);
    const violations = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
    });
    await page.screenshot({ path: path.join(this.screenshots, `${name}.png`), fullPage: true });
    assert.deepEqual(violations, [], `axe-core on ${name}`);
    this.assertNoErrors();
  }

  assertNoErrors() {
    assert.deepEqual(this.errors, [], 'console errors and uncaught exceptions');
  }

  async close() {
    await this.context.close();
    await rm(this.profile, { recursive: true, force: true });
  }
}

// submitToken opens the console in page and submits token on the sign-in screen.
export async function submitToken(page, baseURL, token) {
  await page.goto(`${baseURL}/ui/`);
  await page.locator('#console-token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// signIn signs in with token and answers once the navigation shows the signed-in user.
export async function signIn(page, baseURL, token) {
  await submitToken(page, baseURL, token);
  await page.locator(testId('data-testid console-user')).waitFor();
}

// storedToken is what the page keeps in sessionStorage and localStorage.
export async function storage(page) {
  return page.evaluate(
    (key) => ({ session: sessionStorage.getItem(key), localLength: localStorage.length }),
    TOKEN_KEY
  );
}
