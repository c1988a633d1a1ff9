import { expect, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { latestCode, PASSWORD } from '../fixtures/api';

/** The account pages and the header's account menu: what to find, do and check. */
export class AccountPages {
  readonly username: Locator;
  readonly email: Locator;
  readonly password: Locator;
  readonly code: Locator;
  readonly passwordRules: Locator;
  readonly alert: Locator;
  readonly status: Locator;
  readonly signedInAs: Locator;
  readonly logInLink: Locator;
  readonly myAccountLink: Locator;
  readonly myUsername: Locator;
  readonly myEmail: Locator;

  constructor(private readonly page: Page) {
    this.username = page.getByLabel('Username');
    this.email = page.getByLabel('Email');
    this.password = page.getByLabel('Password');
    this.code = page.getByLabel('Code');
    this.passwordRules = page.locator('#password-rules');
    this.alert = page.getByRole('alert');
    this.status = page.getByRole('status');
    this.signedInAs = page.getByTestId('signed-in-as');
    this.logInLink = page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' });
    this.myAccountLink = page.getByRole('link', { name: 'My account' });
    this.myUsername = page.getByTestId('my-username');
    this.myEmail = page.getByTestId('my-email');
  }

  async signUp(username: string, password = PASSWORD, email = `${username}@example.com`): Promise<void> {
    await this.page.goto('/signup');
    await this.username.fill(username);
    await this.email.fill(email);
    await this.password.fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }

  async confirm(code: string): Promise<void> {
    await this.code.fill(code);
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }

  async logIn(username: string, password = PASSWORD): Promise<void> {
    if (!this.page.url().includes('/login')) await this.page.goto('/login');
    await this.username.fill(username);
    await this.password.fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
  }

  async logOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log out' }).click();
  }

  async expectSignedInAs(username: string): Promise<void> {
    await expect(this.signedInAs).toContainText(username);
  }

  async expectSignedOut(): Promise<void> {
    await expect(this.logInLink).toBeVisible();
    await expect(this.signedInAs).toHaveCount(0);
  }

  async expectMyAccount(username: string): Promise<void> {
    await expect(this.myUsername).toHaveText(username);
    await expect(this.myEmail).toHaveText(`${username}@example.com`);
  }

  /** What a script on the page could read of the session: it must be nothing. */
  async scriptReadableStorage(): Promise<{ local: number; session: number; cookie: string }> {
    return this.page.evaluate(() => ({
      local: Object.keys(localStorage).length,
      session: Object.keys(sessionStorage).length,
      cookie: document.cookie,
    }));
  }
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

/** A confirmed account, logged in through the UI; returns once the header shows the person. */
export async function signedIn(page: Page, request: APIRequestContext, username: string): Promise<AccountPages> {
  const pages = await confirmedAccount(page, request, username);
  await pages.logIn(username);
  await pages.expectSignedInAs(username);
  return pages;
}
