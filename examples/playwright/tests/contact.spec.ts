// SPDX-License-Identifier: BSD-3-Clause
// The contact form: checked field by field, then a thank-you.
import { test, expect } from '@playwright/test';

test.beforeEach(async ({ page }) => {
  await page.goto('/contact.html');
});

test('an empty form shows an error for every field', async ({ page }) => {
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Please enter your name.')).toBeVisible();
  await expect(page.getByText('Please enter a valid email address.')).toBeVisible();
  await expect(page.getByText('Please write at least 10 characters.')).toBeVisible();
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});

test('a bad email address is the only error', async ({ page }) => {
  await page.getByLabel('Name').fill('Ada');
  await page.getByLabel('Email').fill('ada@example');
  await page.getByLabel('Message').fill('Two racks, please.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Please enter a valid email address.')).toBeVisible();
  await expect(page.getByText('Please enter your name.')).toBeHidden();
  await expect(page.getByText('Please write at least 10 characters.')).toBeHidden();
});

test('a good message is thanked by name', async ({ page }) => {
  await page.getByLabel('Name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByLabel('Message').fill('Two racks and a Raspberry Pi, please.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('status')).toHaveText('Thank you, Ada Lovelace. We will answer within a day.');
  await expect(page.locator('#contact')).toBeHidden();
});
