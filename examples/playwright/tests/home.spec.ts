// SPDX-License-Identifier: BSD-3-Clause
// The home page and the navigation, which folds into a menu on phones.
import { test, expect, type Page } from '@playwright/test';

// Below 600 px wide (the mobile project) the links hide behind a menu button.
// Decided by the viewport, not by whether the button looks visible: right
// after a navigation the style sheet may not apply yet, and a button seen
// then would vanish before the click.
const folded = (page: Page) => page.viewportSize()!.width < 600;
async function openMenuIfFolded(page: Page) {
  if (folded(page)) await page.getByRole('button', { name: 'Menu' }).click();
}

test('shows the heading and three highlights', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('Home · Shard Shop');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Run every shard, on every core');
  await expect(page.locator('.card h2')).toHaveText(['Catalog', 'To-do', 'Contact']);
});

test('the links are behind a menu button on phones only', async ({ page }) => {
  await page.goto('/');
  const toggle = page.getByRole('button', { name: 'Menu' });
  const catalog = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' });
  if (folded(page)) {
    await expect(toggle).toBeVisible();
    await expect(catalog).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(catalog).toBeVisible();
    await toggle.click();
    await expect(catalog).toBeHidden();
  } else {
    await expect(toggle).toBeHidden();
    await expect(catalog).toBeVisible();
  }
});

for (const [link, heading] of [
  ['Catalog', 'Catalog'],
  ['To-do', 'To-do'],
  ['Contact', 'Contact'],
]) {
  test(`the ${link} link leads to its page`, async ({ page }) => {
    await page.goto('/');
    await openMenuIfFolded(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    await openMenuIfFolded(page);
    await expect(page.locator('#site-nav [aria-current="page"]')).toHaveText(link);
  });
}

test('an unknown page is a 404', async ({ page }) => {
  const response = await page.goto('/no-such-page.html');
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not found');
});
