import { expect, test } from '@playwright/test';
import { collectPageErrors, uniqueUsername } from './fixtures/api';
import { jpegFile } from './fixtures/pictures';
import { signedIn } from './pages/account-pages';
import { PicturePages } from './pages/picture-pages';
import { PostPages } from './pages/post-pages';

test('a person sets a profile picture and sees it beside their post, then removes it', async ({ page, request }) => {
  const errors = collectPageErrors(page);
  const author = uniqueUsername('painter');
  await signedIn(page, request, author);
  const pictures = new PicturePages(page);
  const posts = new PostPages(page);

  await pictures.setAvatar(await jpegFile(page, 'me', 640, 480, 200));
  const avatarUrl = await pictures.avatarSection.locator('img.avatar').getAttribute('src');
  await page.reload();
  await expect(pictures.avatarSection.locator('img.avatar')).toHaveAttribute('src', avatarUrl!);

  await posts.write(`Portrait by ${author}`, 'With my face beside it');
  const bylineAvatar = posts.byline.locator('img.avatar');
  await expect(bylineAvatar).toHaveAttribute('src', /^\/media\/[0-9a-f]{64}\.jpg$/);
  await expect.poll(() => bylineAvatar.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
  await page.goto('/');
  await expect(posts.boardItems.first().locator('img.avatar')).toBeVisible();

  await page.goto('/me');
  await pictures.removePictureButton.click();
  await expect(pictures.avatarSection.locator('img.avatar')).toHaveCount(0);
  await expect(pictures.avatarSection.locator('.avatar-initial')).toHaveText(author[0].toUpperCase());
  expect(errors).toEqual([]);
});

test('a post with two images, reordered and described, shows both after a reload', async ({ page, request }) => {
  const errors = collectPageErrors(page);
  await signedIn(page, request, uniqueUsername('photographer'));
  const pictures = new PicturePages(page);
  const posts = new PostPages(page);

  await page.goto('/posts/new');
  await posts.fill('Two pictures', 'A harbour and a hill');
  await pictures.addImages([await jpegFile(page, 'harbour', 1800, 1200, 20), await jpegFile(page, 'hill', 900, 1200, 120)]);
  await posts.publishButton.click();
  await expect(page.getByRole('alert')).toContainText('Each image needs a description');

  await pictures.describe(1, 'A harbour at dusk');
  await pictures.describe(2, 'A green hill');
  await pictures.moveEarlier(2);
  await posts.publish();
  await pictures.expectPostImages(['A green hill', 'A harbour at dusk']);

  await page.reload();
  await pictures.expectPostImages(['A green hill', 'A harbour at dusk']);
  await expect(pictures.postImages.first()).toHaveAttribute('width', '900');
  await expect(pictures.postImages.nth(1)).toHaveAttribute('width', '1600');
  expect(errors).toEqual([]);
});
