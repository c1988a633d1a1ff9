import { expect, test } from '@playwright/test';
import { AccountPages, apiAccount, signedIn, uniqueUsername } from './pages/account-pages';
import { collectPageErrors } from './pages/home-page';
import { apiPost, PostPages } from './pages/post-pages';

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
  await expect(page.locator('#field-title-count')).toHaveText(`${title.length} / 200`);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  const id = page.url().split('/').pop() as string;
  await posts.expectPost(title, 'First line\nSecond line');

  await page.goto('/');
  await expect(page.locator('.post-item').first().getByRole('link')).toHaveText(title);
  await expect(page.locator('.post-item').first()).toContainText(author);

  await page.goto(`/posts/${id}`);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await posts.fill(`${title} (edited)`, 'Changed');
  await posts.save();
  await expect(page).toHaveURL(`/posts/${id}`);
  await posts.expectPost(`${title} (edited)`, 'Changed');
  await expect(page.locator('.byline')).toContainText('edited');
  expect(errors).toEqual([]);

  const otherContext = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const other = await otherContext.newPage();
  const stranger = uniqueUsername('stranger');
  await signedIn(other, otherContext.request, stranger);
  await other.goto(`/posts/${id}`);
  await new PostPages(other).expectNoAuthorActions();

  const strangerToken = await otherContext.request
    .post('/api/auth/login', { data: { username: stranger, password: 'Correct1Horse' } })
    .then((response) => response.json())
    .then((tokens) => tokens.accessToken);
  const refused = await request.put(`/api/posts/${id}`, {
    headers: { Authorization: `Bearer ${strangerToken}` },
    data: { title: 'hijacked', content: 'x' },
  });
  expect(refused.status()).toBe(403);
  await otherContext.close();
});

test('markup in a post is shown as inert text, also through a deep link and a reload', async ({ page, request }) => {
  const token = await apiAccount(request, uniqueUsername('markup'));
  const title = '<b>Bold?</b>';
  const content = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
  const id = await apiPost(request, token, title, content);

  for (const visit of [() => page.goto(`/posts/${id}`), () => page.reload()]) {
    const response = await visit();
    expect(response?.status()).toBe(200);
    await new PostPages(page).expectPost(title, content);
    await expect(page.getByTestId('post-content').locator('img, script, b')).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }
});

test('saving over a newer version explains what changed instead of overwriting it', async ({ page, context, request }) => {
  const username = uniqueUsername('conflict');
  await signedIn(page, request, username);
  const id = await new PostPages(page).write('Original title', 'Original text');

  const first = await context.newPage();
  await first.goto(`/posts/${id}/edit`);
  await expect(first.getByLabel('Title')).toHaveValue('Original title');
  await page.goto(`/posts/${id}/edit`);
  await expect(page.getByLabel('Title')).toHaveValue('Original title');

  await new PostPages(first).fill('Saved first', 'From the first tab');
  await new PostPages(first).save();
  await expect(first).toHaveURL(`/posts/${id}`);

  await new PostPages(page).fill('Saved second', 'From the second tab');
  await new PostPages(page).save();
  await expect(page.getByText('This post changed since you opened it')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Current version' })).toContainText('From the first tab');

  await page.getByRole('button', { name: 'Start again from the current version' }).click();
  await expect(page.getByLabel('Title')).toHaveValue('Saved first');
  await new PostPages(page).fill('Saved second, after all', 'Merged');
  await new PostPages(page).save();
  await new PostPages(page).expectPost('Saved second, after all', 'Merged');
});

test('deleting a post asks first', async ({ page, request }) => {
  const username = uniqueUsername('deleter');
  await signedIn(page, request, username);
  const id = await new PostPages(page).write('Short-lived', 'Soon gone');

  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('Delete this post? This cannot be undone.')).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await new PostPages(page).expectPost('Short-lived', 'Soon gone');

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page).toHaveURL('/');
  expect((await request.get(`/api/posts/${id}`)).status()).toBe(404);
});

test('a signed-out visitor reads the board but is sent to log in to write', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Latest posts' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Write a post' })).toHaveCount(0);
  await page.goto('/posts/new');
  await expect(page).toHaveURL('/login');
  await new AccountPages(page).expectSignedOut();
});
