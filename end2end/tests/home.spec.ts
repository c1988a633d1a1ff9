import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/api';
import { HomePage } from './pages/home-page';

test('the home page renders the server function result without console errors', async ({ page }) => {
  const errors = collectPageErrors(page);
  const home = new HomePage(page);

  await home.open();

  await expect(home.heading).toHaveText('Welcome to Boardwalk');
  expect(await home.visitCount()).toBeGreaterThanOrEqual(1);
  expect(errors).toEqual([]);
});

test('each visit is counted by the server', async ({ page }) => {
  const home = new HomePage(page);

  await home.open();
  const first = await home.visitCount();
  await page.reload();
  const second = await home.visitCount();

  // Other tests run in parallel against the same server, so the count may jump further.
  expect(second).toBeGreaterThan(first);
});

test('a deep link to an unknown page shows a not-found page with a way back', async ({ page }) => {
  const errors = collectPageErrors(page);
  const home = new HomePage(page);

  const response = await page.goto('/no/such/page');

  expect(response?.status()).toBe(200);
  await home.expectNotFound();
  await home.backToBoard.click();
  await expect(page).toHaveURL('/');
  await expect(home.visits).toBeVisible();
  expect(errors).toEqual([]);
});
