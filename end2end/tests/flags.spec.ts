import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { apiAccount, collectPageErrors, uniqueUsername } from './fixtures/api';
import { AccountPages } from './pages/account-pages';
import { PostPages } from './pages/post-pages';

// This file changes the flags of the one server every spec shares, so it runs in its own
// project after all the others (playwright.config.ts), and puts the flags back when done.
const flagsFile = join(process.env.BOARDWALK_E2E_DATA_DIR as string, 'flags.json');
let original: string;
test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  original = readFileSync(flagsFile, 'utf8');
});

test.afterAll(() => {
  writeFileSync(flagsFile, original);
});

/** Runs the server binary's admin command on the shared data directory. */
function putInGroup(username: string, group: string): void {
  execFileSync(process.env.BOARDWALK_BIN ?? '../target/debug/boardwalk', ['group', 'add', username, group], {
    env: { ...process.env, BOARDWALK_MODE: 'local', BOARDWALK_DATA_DIR: process.env.BOARDWALK_E2E_DATA_DIR },
  });
}

/** AppConfig's feature-flag format, as the server reads it from the file. */
function writeFlags(values: Record<string, unknown>): void {
  const flags = Object.fromEntries(Object.keys(values).map((name) => [name, { name }]));
  writeFileSync(flagsFile, JSON.stringify({ version: '1', flags, values }));
}

test('flipping the flags file turns chat off for one person and not another, without a restart', async ({
  browser,
  request,
}, testInfo) => {
  const early = uniqueUsername('early');
  const late = uniqueUsername('late');
  await apiAccount(request, early);
  await apiAccount(request, late);
  putInGroup(early, 'early');

  const open = async (username: string) => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    const account = new AccountPages(page);
    await account.logIn(username);
    await account.expectSignedInAs(username);
    return { page, context, errors };
  };
  const earlyTab = await open(early);
  const lateTab = await open(late);
  const chatsLink = (page: typeof earlyTab.page) => page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Chats' });
  await expect(chatsLink(earlyTab.page)).toBeVisible();
  await expect(chatsLink(lateTab.page)).toBeVisible();

  writeFlags({ chat: { enabled: true, groups: ['early'] } });

  await expect(async () => {
    await lateTab.page.reload();
    await expect(lateTab.page.getByTestId('signed-in-as')).toBeVisible();
    await expect(chatsLink(lateTab.page)).toHaveCount(0, { timeout: 1000 });
  }).toPass({ timeout: 10_000 });
  await lateTab.page.goto('/chats');
  await expect(lateTab.page.getByRole('heading', { name: 'Page not found' })).toBeVisible();

  await earlyTab.page.reload();
  await expect(chatsLink(earlyTab.page)).toBeVisible();
  await chatsLink(earlyTab.page).click();
  await expect(earlyTab.page.getByRole('heading', { name: 'Chats', level: 1 })).toBeVisible();

  writeFlags({});
  await expect(async () => {
    await lateTab.page.reload();
    await expect(chatsLink(lateTab.page)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 10_000 });

  expect(earlyTab.errors).toEqual([]);
  await earlyTab.context.close();
  await lateTab.context.close();
});

test('the beta group sees the live preview while writing and everyone else does not', async ({ browser, request }, testInfo) => {
  const tester = uniqueUsername('tester');
  const other = uniqueUsername('other');
  await apiAccount(request, tester);
  await apiAccount(request, other);
  putInGroup(tester, 'beta');

  const preview = async (username: string) => {
    const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
    const page = await context.newPage();
    const account = new AccountPages(page);
    await account.logIn(username);
    await account.expectSignedInAs(username);
    const posts = new PostPages(page);
    await page.goto('/');
    await posts.writeLink.click();
    await posts.fill('Seen before it is sent', 'Typed just now');
    return { page, context, region: page.getByRole('region', { name: 'Preview' }) };
  };

  const beta = await preview(tester);
  await expect(beta.region.getByRole('heading', { name: 'Seen before it is sent' })).toBeVisible();
  await expect(beta.region).toContainText('Typed just now');
  const plain = await preview(other);
  await expect(plain.page.getByLabel('Content')).toHaveValue('Typed just now');
  await expect(plain.region).toHaveCount(0);
  await beta.context.close();
  await plain.context.close();
});
