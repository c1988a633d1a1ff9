import { expect, test } from '@playwright/test';
import { apiAccount, apiPost, collectPageErrors, uniqueUsername } from './fixtures/api';
import { signedIn } from './pages/account-pages';
import { CommentPages } from './pages/comment-pages';
import { PostPages } from './pages/post-pages';

test('two people comment on a post, the author deletes one, and the counts follow', async ({
  page,
  browser,
  request,
}, testInfo) => {
  const errors = collectPageErrors(page);
  const author = uniqueUsername('host');
  const guest = uniqueUsername('guest');
  await signedIn(page, request, author);
  const posts = new PostPages(page);
  const title = `Open thread by ${author}`;
  const id = await posts.write(title, 'Say something');
  const thread = new CommentPages(page);
  await expect(thread.count).toHaveText('No comments yet');

  await thread.write('Welcome, everyone');
  await expect(thread.count).toHaveText('1 comment');

  const guestContext = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const guestPage = await guestContext.newPage();
  await signedIn(guestPage, request, guest);
  await guestPage.goto(`/posts/${id}`);
  const guestThread = new CommentPages(guestPage);
  await guestThread.expectTexts(['Welcome, everyone']);
  await guestThread.write('Thanks for having me');
  await guestThread.write('Off-topic spam');
  await guestThread.edit('Thanks for having me', 'Thanks for having me!');
  await expect(guestThread.count).toHaveText('3 comments');
  await expect(guestThread.comment('Welcome, everyone').getByRole('button', { name: 'Delete' })).toHaveCount(0);

  await page.reload();
  await thread.expectTexts(['Welcome, everyone', 'Thanks for having me!', 'Off-topic spam']);
  await thread.delete('Off-topic spam');
  await expect(thread.count).toHaveText('2 comments');
  await expect(thread.comment('Thanks for having me!').getByRole('button', { name: 'Edit' })).toHaveCount(0);

  await page.goto('/');
  const row = posts.boardItems.filter({ hasText: title });
  await expect(row.getByTestId('board-comment-count')).toHaveText('2 comments');
  await guestPage.reload();
  await guestThread.expectTexts(['Welcome, everyone', 'Thanks for having me!']);
  await guestContext.close();
  expect(errors).toEqual([]);
});

test('a long thread loads more on request, and visitors read it without an account', async ({ page, request }) => {
  // Six people, each within the ten comments one person may write at once.
  const tokens = [];
  for (let n = 0; n < 6; n++) tokens.push(await apiAccount(request, uniqueUsername('chatty')));
  const id = await apiPost(request, tokens[0], 'A long thread', 'Many replies');
  for (let n = 1; n <= 55; n++) {
    const answer = await request.post(`/api/posts/${id}/comments`, {
      headers: { Authorization: `Bearer ${tokens[Math.floor((n - 1) / 10)]}` },
      data: { text: `reply ${n}` },
    });
    expect(answer.status()).toBe(201);
  }

  await page.goto(`/posts/${id}`);
  const thread = new CommentPages(page);
  await expect(thread.count).toHaveText('55 comments');
  await expect(thread.comments).toHaveCount(50);
  await page.getByRole('button', { name: 'Load more comments' }).click();
  await expect(thread.comments).toHaveCount(55);
  await expect(thread.comments.last()).toContainText('reply 55');
  await expect(page.getByRole('link', { name: 'Log in' }).last()).toBeVisible();
});
