import { expect, test } from '@playwright/test';
import { collectPageErrors, PASSWORD, uniqueUsername } from './fixtures/api';
import { AccountPages, confirmedAccount } from './pages/account-pages';
import { HomePage } from './pages/home-page';

test('a person signs up, confirms, logs in, stays logged in across a reload and logs out', async ({
  page,
  context,
  request,
}) => {
  const errors = collectPageErrors(page);
  const username = uniqueUsername('journey');

  const pages = await confirmedAccount(page, request, username);
  await expect(pages.status).toHaveText('Email confirmed. You can log in now.');
  await pages.logIn(username);

  await expect(page).toHaveURL('/me');
  await pages.expectMyAccount(username);
  await pages.expectSignedInAs(username);

  // No token anywhere a script can read it.
  expect(await pages.scriptReadableStorage()).toEqual({ local: 0, session: 0, cookie: '' });

  // The refresh token lives only in a locked-down cookie.
  const cookies = await context.cookies();
  const refresh = cookies.find((cookie) => cookie.name === 'boardwalk_refresh');
  expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth' });
  expect(cookies.filter((cookie) => cookie.name !== 'boardwalk_refresh')).toEqual([]);

  await page.reload();
  await expect(pages.myUsername).toHaveText(username);
  await pages.expectSignedInAs(username);

  await pages.logOut();
  await expect(page).toHaveURL('/login');
  await page.reload();
  await pages.expectSignedOut();
  await page.goto('/me');
  await expect(page).toHaveURL('/login');
  expect(await context.cookies()).toEqual([]);
  expect(errors).toEqual([]);
});

test('two tabs reloading at the same moment both stay logged in', async ({ page, context, request }) => {
  const username = uniqueUsername('tabs');
  const pages = await confirmedAccount(page, request, username);
  await pages.logIn(username);
  await pages.expectSignedInAs(username);

  const second = await context.newPage();
  const secondPages = new AccountPages(second);
  await second.goto('/me');
  await secondPages.expectSignedInAs(username);

  // Both tabs present the same refresh cookie at once; rotation must not log either out.
  await Promise.all([page.reload(), second.reload()]);
  await pages.expectSignedInAs(username);
  await secondPages.expectSignedInAs(username);
  await expect(secondPages.myUsername).toHaveText(username);

  // And the session is still alive afterwards.
  await page.reload();
  await pages.expectSignedInAs(username);
});

test('form errors name the field, and the password rules are shown before submitting', async ({ page }) => {
  const pages = new AccountPages(page);
  await page.goto('/signup');
  await expect(pages.passwordRules).toContainText('at least 10 characters');
  await expect(pages.passwordRules).toContainText('a digit');

  await pages.signUp('ok_name', PASSWORD, 'not-an-email');

  await expect(pages.alert).toHaveText('Enter an email address like name@example.com.');
  await expect(pages.email).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL('/signup');
});

test('a wrong password is refused without saying whether the user exists', async ({ page }) => {
  const pages = new AccountPages(page);

  await pages.logIn(uniqueUsername('ghost'), 'Wrong1Password');

  await expect(pages.alert).toHaveText('Incorrect username or password.');
  await pages.expectSignedOut();
});

test('a call refused with 401 is refreshed once and retried without the person noticing', async ({ page, request }) => {
  const username = uniqueUsername('retry');
  const pages = await confirmedAccount(page, request, username);
  await pages.logIn(username);
  await expect(pages.myUsername).toHaveText(username);

  // The next my_info call is answered as if its access token had expired.
  let refused = 0;
  const authorizations: string[] = [];
  await page.route('**/api/fn/my_info', async (route) => {
    authorizations.push((await route.request().headerValue('authorization')) ?? '');
    if (refused === 0) {
      refused += 1;
      await route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'Your session has expired.', code: 'ERR_UNAUTHORIZED' }),
      });
    } else {
      await route.continue();
    }
  });
  const refreshed = page.waitForRequest('**/api/auth/fn/refresh');

  await new HomePage(page).brand.click();
  await pages.myAccountLink.click();

  await refreshed;
  await expect(pages.myUsername).toHaveText(username);
  await pages.expectSignedInAs(username);
  expect(authorizations).toHaveLength(2);
  expect(authorizations[0]).toMatch(/^Bearer ./);
  expect(authorizations[1]).toMatch(/^Bearer ./);
  expect(authorizations[1]).not.toEqual(authorizations[0]);
});
