import { expect, test } from '@playwright/test';
import { apiAccount, apiPost, collectPageErrors, latestCode, PASSWORD, uniqueUsername } from './fixtures/api';

test.describe('a Korean browser', () => {
  test.use({ locale: 'ko-KR' });

  test('gets the board in Korean on its first visit, with <html lang> and the title in step', async ({ page, request }) => {
    const errors = collectPageErrors(page);
    const author = uniqueUsername('kauthor');
    const token = await apiAccount(request, author);
    await apiPost(request, token, '첫 글입니다', '안녕하세요');

    await page.goto('/');

    await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('게시판에 오신 것을 환영합니다');
    await expect(page).toHaveTitle('게시판');
    await expect(page.getByRole('link', { name: '로그인' })).toBeVisible();
    await expect(page.getByTestId('byline').first()).toContainText('방금 전');
    expect(errors).toEqual([]);
  });

  test('signs up in Korean: rules, errors and the confirmation email are Korean', async ({ page, request }) => {
    const username = uniqueUsername('minji');
    await page.goto('/signup');
    await expect(page.locator('#password-rules')).toContainText('10자 이상');

    await page.getByLabel('사용자 이름').fill('x');
    await page.getByRole('button', { name: '계정 만들기' }).click();
    await expect(page.locator('#field-username-error')).toHaveText(
      "사용자 이름은 3~32자의 영문자, 숫자, '.', '_', '-'로 만드세요.",
    );
    await expect(page.getByLabel('사용자 이름')).toHaveAttribute('aria-describedby', 'field-username-error');

    await page.getByLabel('사용자 이름').fill(username);
    await page.getByLabel('이메일').fill(`${username}@example.com`);
    await page.getByLabel('비밀번호').fill(PASSWORD);
    await page.getByRole('button', { name: '계정 만들기' }).click();
    await expect(page).toHaveURL(new RegExp(`/confirm\\?username=${username}$`));

    const mails: { subject: string; body: string }[] = await (await request.get(`/api/dev/mailbox/${username}`)).json();
    expect(mails[0].subject).toBe('게시판 인증 코드');
    expect(mails[0].body).toContain('인증 코드는');

    await page.getByLabel('인증 코드').fill(await latestCode(request, username));
    await page.getByRole('button', { name: '인증하기' }).click();
    await expect(page.getByRole('status')).toHaveText('이메일이 인증되었습니다. 이제 로그인할 수 있습니다.');

    // The server's answer is a code; the page says it in Korean (REST keeps English text).
    await page.getByLabel('사용자 이름').fill(username);
    await page.getByLabel('비밀번호').fill('Wrong1Password');
    await page.getByRole('button', { name: '로그인' }).last().click();
    await expect(page.getByRole('alert')).toHaveText('사용자 이름 또는 비밀번호가 올바르지 않습니다.');
  });
});

test('the language is switched in the header, remembered, and followed by <html lang>', async ({ page, request }) => {
  const english = uniqueUsername('eng');
  await request.post('/api/auth/signup', {
    data: { username: english, password: PASSWORD, email: `${english}@example.com` },
  });
  const mails: { subject: string }[] = await (await request.get(`/api/dev/mailbox/${english}`)).json();
  expect(mails[0].subject).toBe('Your Boardwalk confirmation code');

  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Boardwalk');

  await page.getByLabel('Language').selectOption('ko');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('게시판에 오신 것을 환영합니다');
  await expect(page).toHaveTitle('게시판');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('게시판에 오신 것을 환영합니다');
  await expect(page.getByLabel('언어')).toHaveValue('ko');

  await page.getByLabel('언어').selectOption('en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to Boardwalk');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
