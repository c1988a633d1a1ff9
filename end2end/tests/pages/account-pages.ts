import { expect, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'Correct1Horse';

/** A username no other test (or earlier run on the same data) has used. */
export function uniqueUsername(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** The account pages, split into what to do and what to check. */
export class AccountPages {
  constructor(private readonly page: Page) {}

  async signUp(username: string, password = PASSWORD): Promise<void> {
    await this.page.goto('/signup');
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Email').fill(`${username}@example.com`);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async confirm(code: string): Promise<void> {
    await this.page.getByLabel('Code').fill(code);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }

  async logIn(username: string, password = PASSWORD): Promise<void> {
    if (!this.page.url().includes('/login')) await this.page.goto('/login');
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click();
  }

  async expectSignedInAs(username: string): Promise<void> {
    await expect(this.page.getByTestId('signed-in-as')).toContainText(username);
  }

  async expectSignedOut(): Promise<void> {
    await expect(this.page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' })).toBeVisible();
    await expect(this.page.getByTestId('signed-in-as')).toHaveCount(0);
  }
}

/** The newest confirmation code in the local dev mailbox. */
export async function latestCode(request: APIRequestContext, username: string): Promise<string> {
  const response = await request.get(`/api/dev/mailbox/${username}`);
  expect(response.ok()).toBeTruthy();
  const mails: { code: string }[] = await response.json();
  expect(mails.length).toBeGreaterThan(0);
  return mails[mails.length - 1].code;
}

/** Signs up and confirms through the UI, leaving the page on the log-in form. */
export async function confirmedAccount(page: Page, request: APIRequestContext, username: string): Promise<AccountPages> {
  const pages = new AccountPages(page);
  await pages.signUp(username);
  await expect(page).toHaveURL(new RegExp(`/confirm\\?username=${username}$`));
  await pages.confirm(await latestCode(request, username));
  await expect(page).toHaveURL(/\/login\?confirmed=1$/);
  return pages;
}

/** A confirmed account made through the API; returns its access token. */
export async function apiAccount(request: APIRequestContext, username: string): Promise<string> {
  const signedUp = await request.post('/api/auth/signup', {
    data: { username, password: PASSWORD, email: `${username}@example.com` },
  });
  expect(signedUp.ok()).toBeTruthy();
  const confirmed = await request.post('/api/auth/confirmEmail', {
    data: { username, code: await latestCode(request, username) },
  });
  expect(confirmed.ok()).toBeTruthy();
  const loggedIn = await request.post('/api/auth/login', { data: { username, password: PASSWORD } });
  expect(loggedIn.ok()).toBeTruthy();
  return (await loggedIn.json()).accessToken;
}

/** A confirmed account, logged in through the UI; returns once the header shows the person. */
export async function signedIn(page: Page, request: APIRequestContext, username: string): Promise<AccountPages> {
  const pages = await confirmedAccount(page, request, username);
  await pages.logIn(username);
  await pages.expectSignedInAs(username);
  return pages;
}
