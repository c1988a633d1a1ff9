import { expect, type Locator, type Page } from '@playwright/test';

/** A post's thread: its count, its comments, the composer and each comment's actions. */
export class CommentPages {
  readonly count: Locator;
  readonly comments: Locator;
  readonly composer: Locator;

  constructor(private readonly page: Page) {
    this.count = page.getByTestId('comment-count');
    this.comments = page.getByTestId('comment');
    this.composer = page.getByLabel('Your comment');
  }

  /** Writes `text` as the signed-in person and waits until it shows. */
  async write(text: string): Promise<void> {
    await this.composer.fill(text);
    await this.page.getByRole('button', { name: 'Comment', exact: true }).click();
    await expect(this.comment(text)).toBeVisible();
    await expect(this.composer).toHaveValue('');
  }

  comment(text: string): Locator {
    return this.comments.filter({ hasText: text });
  }

  async delete(text: string): Promise<void> {
    const comment = this.comment(text);
    await comment.getByRole('button', { name: 'Delete' }).click();
    await comment.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(comment).toHaveCount(0);
  }

  async edit(text: string, changed: string): Promise<void> {
    const comment = this.comment(text);
    await comment.getByRole('button', { name: 'Edit' }).click();
    await this.page.getByLabel('Edit your comment').fill(changed);
    await this.page.getByRole('button', { name: 'Save' }).click();
    await expect(this.comment(changed)).toContainText('edited');
  }

  async expectTexts(texts: string[]): Promise<void> {
    await expect(this.comments.locator('.comment-text')).toHaveText(texts);
  }
}
