// SPDX-License-Identifier: BSD-3-Clause
// The status page and the server itself. One test here is flaky on purpose.
import { test, expect } from '@playwright/test';

test('the web server is this shard\'s own', async ({ request, baseURL }) => {
  const response = await request.get('/health');
  expect(response.ok()).toBe(true);
  // the port the config derived from distmpi's {slot}
  expect((await response.json()).port).toBe(Number(new URL(baseURL!).port));
});

// Flaky on purpose, and deterministically so: on its first attempt the
// status API answers 503 (a backend hiccup, staged with page.route), the page
// says "Service unavailable" and the test fails; Playwright retries it
// (retries: 1 in the config) and the second attempt passes. The JUnit report
// keeps the failed attempt as a <flakyFailure>, and the run still passes.
test('shows the service status (flaky: the first attempt meets a 503)', async ({ page }, testInfo) => {
  if (testInfo.retry === 0) {
    await page.route('**/api/status', (route) => route.fulfill({ status: 503, body: 'busy' }));
  }
  await page.goto('/status.html');
  const status = page.getByRole('status');
  // Wait for the answer, whatever it is, then judge it at once: the first
  // attempt fails as soon as the 503 is shown, however slow the machine.
  await expect(status).not.toHaveText('Checking…');
  expect(await status.textContent()).toBe('All systems operational');
  await expect(status).toHaveClass(/\bok\b/);
});
