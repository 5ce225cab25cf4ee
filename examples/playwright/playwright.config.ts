// SPDX-License-Identifier: BSD-3-Clause
// playwright.config.ts - the example suite: three projects (desktop, mobile,
// tablet) on Debian's Chromium, a web server of its own per shard, and a
// JUnit report that names each test's project and keeps its retries.
//
// distmpi runs one shard per slot:
//
//   env APP_BASE_PORT=4100 APP_SLOT={slot} \
//       PLAYWRIGHT_JUNIT_OUTPUT_NAME={output_dir}/junit.xml \
//       npx playwright test --shard={shard}/{total} --output={output_dir}/test-results
//
// (run.sh has the whole command). Without those variables,
// `npx playwright test` runs the whole suite on port 4100.
import { defineConfig, devices } from '@playwright/test';

// One port per slot: distmpi's {slot} is unique among the shards running on
// one host at the same time, so two shards there never want the same port.
// (On different hosts they may share a number: each host has its own.)
const port = Number(process.env.APP_BASE_PORT || 4100) + Number(process.env.APP_SLOT || 0);
const baseURL = `http://127.0.0.1:${port}`;

// Debian's Chromium, never a browser downloaded by Playwright. Each project
// names it: device descriptors such as tablets would otherwise ask for
// WebKit, and without a path Playwright looks for its own build.
const chromium = {
  browserName: 'chromium' as const,
  launchOptions: { executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
};

export default defineConfig({
  testDir: './tests',
  // Shards cut the suite test by test (not file by file), so they come out even.
  fullyParallel: true,
  // One worker: distmpi gives each shard one slot (one core).
  workers: 1,
  // A failed test runs once more in the same shard: one that then passes is
  // flaky (and does not fail the run), one that fails again has failed.
  retries: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: true,
  reporter: [
    ['list'],
    // The file name comes from PLAYWRIGHT_JUNIT_OUTPUT_NAME (distmpi's
    // {output_dir}, which it then collects); by hand, test-results/junit.xml.
    // The project goes into each test's name ("[mobile] todo.spec.ts › ..."),
    // else the three runs of a test would look the same once merged, and
    // each failed attempt of a test that passed later is a <flakyFailure>
    // (the same as PLAYWRIGHT_JUNIT_INCLUDE_PROJECT_IN_TEST_NAME=1 and
    // PLAYWRIGHT_JUNIT_INCLUDE_RETRIES=1).
    ['junit', { outputDir: 'test-results', fileName: 'junit.xml', includeProjectInTestName: true, includeRetries: true }],
  ],
  // Playwright empties this directory when a run starts; distmpi's
  // --output={output_dir}/test-results gives every shard its own.
  outputDir: 'test-results/output',
  use: {
    baseURL,
    trace: 'on-first-retry',
  },
  webServer: {
    command: `node server.js ${port}`,
    url: `${baseURL}/health`,
    // A server already on this port is another shard's: fail, never share it.
    reuseExistingServer: false,
    timeout: 30_000,
    // its one line ("serving ... on http://127.0.0.1:PORT/") goes to the shard's log
    stdout: 'pipe',
    stderr: 'pipe',
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], ...chromium } },
    { name: 'mobile', use: { ...devices['Pixel 7'], ...chromium } },
    { name: 'tablet', use: { ...devices['Galaxy Tab S4'], ...chromium } },
  ],
});
