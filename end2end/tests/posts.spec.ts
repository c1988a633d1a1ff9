import { expect, test } from '@playwright/test';
import {
  apiAccount,
  apiEditStatus,
  apiLogIn,
  apiPost,
  apiPostStatus,
  collectPageErrors,
  uniqueUsername,
} from './fixtures/api';
import { AccountPages, signedIn } from './pages/account-pages';
import { PostPages } from './pages/post-pages';

test('an author writes a post, sees it on top and edits it; someone else can neither see nor use edit and delete', async ({
  page,
  browser,
  request,
}, testInfo) => {
  const errors = collectPageErrors(page);
  const author = uniqueUsername('author');
  await signedIn(page, request, author);
  const posts = new PostPages(page);

  const title = `Hello from ${author}`;
  await page.goto('/posts/new');
  await posts.fill(title, 'First line\nSecond line');
  await expect(posts.titleCount).toHaveText(`${title.length} / 200`);
  await posts.publish();
  const id = page.url().split('/').pop() as string;
  await posts.expectPost(title, 'First line\nSecond line');

  await page.goto('/');
  await posts.expectNewestOnBoard(title, author);

  await page.goto(`/posts/${id}`);
  await posts.editLink.click();
  await expect(posts.title).toHaveValue(title);
  await posts.fill(`${title} (edited)`, 'Changed');
  await posts.save();
  await expect(page).toHaveURL(`/posts/${id}`);
  await posts.expectPost(`${title} (edited)`, 'Changed');
  await expect(posts.byline).toContainText('edited');
  expect(errors).toEqual([]);

  const otherContext = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const other = await otherContext.newPage();
  const stranger = uniqueUsername('stranger');
  await signedIn(other, otherContext.request, stranger);
  await other.goto(`/posts/${id}`);
  await new PostPages(other).expectNoAuthorActions();

  const strangerToken = await apiLogIn(otherContext.request, stranger);
  expect(await apiEditStatus(request, strangerToken, id)).toBe(403);
  await otherContext.close();
});

test('markup in a post is shown as inert text, also through a deep link and a reload', async ({ page, request }) => {
  const token = await apiAccount(request, uniqueUsername('markup'));
  const title = '<b>Bold?</b>';
  const content = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
  const id = await apiPost(request, token, title, content);
  const posts = new PostPages(page);

  for (const visit of [() => page.goto(`/posts/${id}`), () => page.reload()]) {
    const response = await visit();
    expect(response?.status()).toBe(200);
    await posts.expectPost(title, content);
    await posts.expectInertContent();
  }
});

test('saving over a newer version explains what changed instead of overwriting it', async ({ page, context, request }) => {
  const username = uniqueUsername('conflict');
  await signedIn(page, request, username);
  const posts = new PostPages(page);
  const id = await posts.write('Original title', 'Original text');

  const first = await context.newPage();
  const firstPosts = new PostPages(first);
  await first.goto(`/posts/${id}/edit`);
  await expect(firstPosts.title).toHaveValue('Original title');
  await page.goto(`/posts/${id}/edit`);
  await expect(posts.title).toHaveValue('Original title');

  await firstPosts.fill('Saved first', 'From the first tab');
  await firstPosts.save();
  await expect(first).toHaveURL(`/posts/${id}`);

  await posts.fill('Saved second', 'From the second tab');
  await posts.save();
  await expect(page.getByText('This post changed since you opened it')).toBeVisible();
  await expect(posts.currentVersion).toContainText('From the first tab');

  await posts.startAgainButton.click();
  await expect(posts.title).toHaveValue('Saved first');
  await posts.fill('Saved second, after all', 'Merged');
  await posts.save();
  await posts.expectPost('Saved second, after all', 'Merged');
});

test('deleting a post asks first', async ({ page, request }) => {
  const username = uniqueUsername('deleter');
  await signedIn(page, request, username);
  const posts = new PostPages(page);
  const id = await posts.write('Short-lived', 'Soon gone');

  await posts.deleteButton.click();
  await expect(page.getByText('Delete this post? This cannot be undone.')).toBeVisible();
  await posts.cancelButton.click();
  await posts.expectPost('Short-lived', 'Soon gone');

  await posts.delete();
  await expect(page).toHaveURL('/');
  expect(await apiPostStatus(request, id)).toBe(404);
});

test('a signed-out visitor reads the board but is sent to log in to write', async ({ page }) => {
  const posts = new PostPages(page);

  await page.goto('/');
  await expect(posts.boardHeading).toBeVisible();
  await expect(posts.writeLink).toHaveCount(0);
  await page.goto('/posts/new');
  await expect(page).toHaveURL('/login');
  await new AccountPages(page).expectSignedOut();
});
