import { expect, test } from '@playwright/test';
import { collectPageErrors } from './fixtures/api';
import { HomePage } from './pages/home-page';

test('the home page says what Boardwalk is and shows the board, without console errors', async ({ page }) => {
  const errors = collectPageErrors(page);
  const home = new HomePage(page);

  await home.open();

  await expect(home.heading).toHaveText('Welcome to Boardwalk');
  await expect(home.board).toBeVisible();
  await expect(page).toHaveTitle('Boardwalk');
  expect(errors).toEqual([]);
});

test('a deep link to an unknown page shows a not-found page with a way back', async ({ page }) => {
  const errors = collectPageErrors(page);
  const home = new HomePage(page);

  const response = await page.goto('/no/such/page');

  expect(response?.status()).toBe(200);
  await home.expectNotFound();
  await expect(page).toHaveTitle('Page not found · Boardwalk');
  await home.backToBoard.click();
  await expect(page).toHaveURL('/');
  await expect(home.board).toBeVisible();
  expect(errors).toEqual([]);
});
