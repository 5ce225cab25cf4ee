// SPDX-License-Identifier: BSD-3-Clause
// The to-do list: adding, completing, filtering, deleting, and kept over a reload.
import { test, expect, type Page } from '@playwright/test';

async function add(page: Page, ...texts: string[]) {
  for (const text of texts) {
    await page.getByLabel('New task').fill(text);
    await page.getByRole('button', { name: 'Add' }).click();
  }
}

test.beforeEach(async ({ page }) => {
  await page.goto('/todo.html');
});

test('adds tasks and counts them', async ({ page }) => {
  await expect(page.locator('#remaining')).toHaveText('0 tasks left');
  await add(page, 'cut the suite into shards', 'write a hostfile');
  await expect(page.locator('.todo-title')).toHaveText(['cut the suite into shards', 'write a hostfile']);
  await expect(page.locator('#remaining')).toHaveText('2 tasks left');
  await expect(page.getByLabel('New task')).toHaveValue('');
});

test('a finished task is struck through and no longer counted', async ({ page }) => {
  await add(page, 'install Open MPI', 'run mpirun');
  await page.getByRole('checkbox').first().check();
  await expect(page.locator('.todos li').first()).toHaveClass('done');
  await expect(page.locator('#remaining')).toHaveText('1 task left');
});

test('filters active and done tasks', async ({ page }) => {
  await add(page, 'one', 'two', 'three');
  await page.getByRole('listitem').filter({ hasText: 'two' }).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Active' }).click();
  await expect(page.locator('.todo-title')).toHaveText(['one', 'three']);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.locator('.todo-title')).toHaveText(['two']);
  await expect(page.getByRole('button', { name: 'Done' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'All' }).click();
  await expect(page.locator('.todo-title')).toHaveCount(3);
});

test('tasks survive a reload, and delete removes one', async ({ page }) => {
  await add(page, 'keep me', 'delete me');
  await page.reload();
  await expect(page.locator('.todo-title')).toHaveText(['keep me', 'delete me']);
  await page.getByRole('button', { name: 'Delete delete me' }).click();
  await page.reload();
  await expect(page.locator('.todo-title')).toHaveText(['keep me']);
});
