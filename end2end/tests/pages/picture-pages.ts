import { expect, type Locator, type Page } from '@playwright/test';
import type { PictureFile } from '../fixtures/pictures';

/** The profile picture on "my account" and the images of the post form and post page. */
export class PicturePages {
  readonly avatarInput: Locator;
  readonly avatarPreview: Locator;
  readonly usePictureButton: Locator;
  readonly removePictureButton: Locator;
  readonly avatarSection: Locator;
  readonly imageInput: Locator;
  readonly imageDrafts: Locator;
  readonly postImages: Locator;

  constructor(private readonly page: Page) {
    this.avatarSection = page.getByRole('region', { name: 'Profile picture' });
    this.avatarInput = page.locator('#avatar-file');
    this.avatarPreview = page.getByAltText('Preview of your new profile picture');
    this.usePictureButton = page.getByRole('button', { name: 'Use this picture' });
    this.removePictureButton = page.getByRole('button', { name: 'Remove picture' });
    this.imageInput = page.getByLabel('Drop pictures here, or choose them');
    this.imageDrafts = page.getByTestId('image-draft');
    this.postImages = page.locator('.post-images img');
  }

  /** Chooses `file` on "my account", previews it, and makes it the profile picture. */
  async setAvatar(file: PictureFile): Promise<void> {
    await this.page.goto('/me');
    await this.avatarInput.setInputFiles(file);
    await expect(this.avatarPreview).toBeVisible();
    await this.usePictureButton.click();
    await expect(this.avatarPreview).toHaveCount(0);
    await expect(this.avatarSection.locator('img.avatar')).toHaveAttribute('src', /^\/media\/[0-9a-f]{64}\.jpg$/);
  }

  /** Adds `files` to the post form and waits until each is uploaded. */
  async addImages(files: PictureFile[]): Promise<void> {
    const before = await this.imageDrafts.count();
    await this.imageInput.setInputFiles(files);
    await expect(this.imageDrafts).toHaveCount(before + files.length);
    for (let n = 0; n < before + files.length; n++) {
      await expect(this.imageDrafts.nth(n).getByText('Uploaded')).toBeVisible();
    }
  }

  /** Describes image `n` (1-based) of the post form. */
  async describe(n: number, alt: string): Promise<void> {
    await this.page.getByLabel(`Describe image ${n} (for people who cannot see it)`).fill(alt);
  }

  async moveEarlier(n: number): Promise<void> {
    await this.page.getByRole('button', { name: `Move image ${n} earlier` }).click();
  }

  /** The post page shows these images, in this order, each loaded and sized before loading. */
  async expectPostImages(alts: string[]): Promise<void> {
    await expect(this.postImages).toHaveCount(alts.length);
    for (const [n, alt] of alts.entries()) {
      const image = this.postImages.nth(n);
      await expect(image).toHaveAttribute('alt', alt);
      await expect(image).toHaveAttribute('width', /^\d+$/);
      await expect(image).toHaveAttribute('height', /^\d+$/);
      await image.scrollIntoViewIfNeeded();
      await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    }
  }
}
