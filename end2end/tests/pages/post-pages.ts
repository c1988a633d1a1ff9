import { expect, type Locator, type Page } from '@playwright/test';

/** The board's pages: the list, one post, and the write and edit forms. */
export class PostPages {
  readonly title: Locator;
  readonly content: Locator;
  readonly titleCount: Locator;
  readonly heading: Locator;
  readonly postContent: Locator;
  readonly byline: Locator;
  readonly boardHeading: Locator;
  readonly boardItems: Locator;
  readonly writeLink: Locator;
  readonly editLink: Locator;
  readonly deleteButton: Locator;
  readonly confirmDeleteButton: Locator;
  readonly cancelButton: Locator;
  readonly currentVersion: Locator;
  readonly startAgainButton: Locator;
  readonly publishButton: Locator;

  constructor(private readonly page: Page) {
    this.title = page.getByLabel('Title');
    this.content = page.getByLabel('Content');
    this.titleCount = page.locator('#field-title-count');
    this.heading = page.getByRole('heading', { level: 1 });
    this.postContent = page.getByTestId('post-content');
    this.byline = page.getByTestId('byline');
    this.boardHeading = page.getByRole('heading', { name: 'Latest posts' });
    this.boardItems = page.getByRole('region', { name: 'Latest posts' }).getByRole('listitem');
    this.writeLink = page.getByRole('link', { name: 'Write a post' });
    this.editLink = page.getByRole('link', { name: 'Edit' });
    this.deleteButton = page.getByRole('button', { name: 'Delete' });
    this.confirmDeleteButton = page.getByRole('button', { name: 'Yes, delete' });
    this.cancelButton = page.getByRole('button', { name: 'Cancel' });
    this.currentVersion = page.getByRole('region', { name: 'Current version' });
    this.startAgainButton = page.getByRole('button', { name: 'Start again from the current version' });
    this.publishButton = page.getByRole('button', { name: 'Publish' });
  }

  /** Writes a post from the board's "Write a post" link; returns its id. */
  async write(title: string, content: string): Promise<string> {
    await this.page.goto('/');
    await this.writeLink.click();
    await this.fill(title, content);
    await this.publish();
    return this.page.url().split('/').pop() as string;
  }

  async fill(title: string, content: string): Promise<void> {
    await this.title.fill(title);
    await this.content.fill(content);
  }

  async publish(): Promise<void> {
    await this.publishButton.click();
    await expect(this.page).toHaveURL(/\/posts\/\d+$/);
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save changes' }).click();
  }

  async delete(): Promise<void> {
    await this.deleteButton.click();
    await this.confirmDeleteButton.click();
  }

  async expectPost(title: string, content: string): Promise<void> {
    await expect(this.heading).toHaveText(title);
    await expect(this.postContent).toHaveText(content);
  }

  /** Markup in a post stays text: no element of it exists in the page. */
  async expectInertContent(): Promise<void> {
    await expect(this.postContent.locator('img, script, b')).toHaveCount(0);
    expect(await this.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }

  async expectNoAuthorActions(): Promise<void> {
    await expect(this.postContent).toBeVisible();
    await expect(this.editLink).toHaveCount(0);
    await expect(this.deleteButton).toHaveCount(0);
  }

  /** The post is on the board's first page with its author. (Other specs write posts in
   * parallel on the same server, so it need not be the very first item by the time the
   * board loads; newest-first order itself is covered by the store contract.) */
  async expectNewestOnBoard(title: string, author: string): Promise<void> {
    const item = this.boardItems.filter({ has: this.page.getByRole('link', { name: title, exact: true }) });
    await expect(item).toHaveCount(1);
    await expect(item).toContainText(author);
  }
}
