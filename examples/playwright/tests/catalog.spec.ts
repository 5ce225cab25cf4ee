// SPDX-License-Identifier: BSD-3-Clause
// The catalog: products from the server's API, searched and sorted in the page.
import { test, expect } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/catalog.html');
  await expect(page.getByRole('status')).toHaveText('6 of 6 products');
});

test('lists every product, by name', async ({ page }) => {
  await expect(page.locator('.product-name')).toHaveText([
    'Mini PC', 'Network switch', 'NVMe disk', 'Rack server', 'Raspberry Pi', 'Workstation',
  ]);
});

test('search matches names and categories', async ({ page }) => {
  const search = page.getByRole('searchbox', { name: 'Search' });
  await search.fill('ra');
  await expect(page.locator('.product-name')).toHaveText(['NVMe disk', 'Rack server', 'Raspberry Pi']);
  await search.fill('network');
  await expect(page.locator('.product-name')).toHaveText(['Network switch']);
  await expect(page.getByRole('status')).toHaveText('1 of 6 products');
});

test('sorts by price both ways', async ({ page }) => {
  const sort = page.getByLabel('Sort by');
  await sort.selectOption('price-asc');
  await expect(page.locator('.product-price')).toHaveText(['$80', '$120', '$300', '$450', '$1,800', '$2,400']);
  await sort.selectOption('price-desc');
  await expect(page.locator('.product-name').first()).toHaveText('Rack server');
  await expect(page.locator('.product-name').last()).toHaveText('Raspberry Pi');
});

test('a search without a match says so', async ({ page }) => {
  await page.getByRole('searchbox', { name: 'Search' }).fill('mainframe');
  await expect(page.locator('.products li')).toHaveCount(0);
  await expect(page.getByText('Nothing matches your search.')).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('0 of 6 products');
});
