import { expect, test } from '@playwright/test';
import { collectPageErrors } from './pages/home-page';
import { AccountPages, confirmedAccount, PASSWORD, uniqueUsername } from './pages/account-pages';

test('a person signs up, confirms, logs in, stays logged in across a reload and logs out', async ({
  page,
  context,
  request,
}) => {
  const errors = collectPageErrors(page);
  const username = uniqueUsername('journey');

  const pages = await confirmedAccount(page, request, username);
  await expect(page.getByRole('status')).toHaveText('Email confirmed. You can log in now.');
  await pages.logIn(username);

  await expect(page).toHaveURL('/me');
  await expect(page.getByTestId('my-username')).toHaveText(username);
  await expect(page.getByTestId('my-email')).toHaveText(`${username}@example.com`);
  await pages.expectSignedInAs(username);

  // No token anywhere a script can read it.
  const readable = await page.evaluate(() => ({
    local: Object.keys(localStorage).length,
    session: Object.keys(sessionStorage).length,
    cookie: document.cookie,
  }));
  expect(readable).toEqual({ local: 0, session: 0, cookie: '' });

  // The refresh token lives only in a locked-down cookie.
  const cookies = await context.cookies();
  const refresh = cookies.find((cookie) => cookie.name === 'boardwalk_refresh');
  expect(refresh).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/api/auth' });
  expect(cookies.filter((cookie) => cookie.name !== 'boardwalk_refresh')).toEqual([]);

  await page.reload();
  await expect(page.getByTestId('my-username')).toHaveText(username);
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
  await second.goto('/me');
  await new AccountPages(second).expectSignedInAs(username);

  // Both tabs present the same refresh cookie at once; rotation must not log either out.
  await Promise.all([page.reload(), second.reload()]);
  await new AccountPages(page).expectSignedInAs(username);
  await new AccountPages(second).expectSignedInAs(username);
  await expect(second.getByTestId('my-username')).toHaveText(username);

  // And the session is still alive afterwards.
  await page.reload();
  await new AccountPages(page).expectSignedInAs(username);
});

test('form errors name the field, and the password rules are shown before submitting', async ({ page }) => {
  await page.goto('/signup');
  const rules = page.locator('#password-rules');
  await expect(rules).toContainText('at least 10 characters');
  await expect(rules).toContainText('a digit');

  await page.getByLabel('Username').fill('ok_name');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByRole('alert')).toHaveText('Enter an email address like name@example.com.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL('/signup');
});

test('a wrong password is refused without saying whether the user exists', async ({ page }) => {
  const pages = new AccountPages(page);

  await pages.logIn(uniqueUsername('ghost'), 'Wrong1Password');

  await expect(page.getByRole('alert')).toHaveText('Incorrect username or password.');
  await pages.expectSignedOut();
});

test('a call refused with 401 is refreshed once and retried without the person noticing', async ({ page, request }) => {
  const username = uniqueUsername('retry');
  const pages = await confirmedAccount(page, request, username);
  await pages.logIn(username);
  await expect(page.getByTestId('my-username')).toHaveText(username);

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

  await page.getByRole('link', { name: 'Boardwalk' }).click();
  await page.getByRole('link', { name: 'My account' }).click();

  await refreshed;
  await expect(page.getByTestId('my-username')).toHaveText(username);
  await pages.expectSignedInAs(username);
  expect(authorizations).toHaveLength(2);
  expect(authorizations[0]).toMatch(/^Bearer ./);
  expect(authorizations[1]).toMatch(/^Bearer ./);
  expect(authorizations[1]).not.toEqual(authorizations[0]);
});
