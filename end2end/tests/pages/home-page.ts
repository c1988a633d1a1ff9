import { expect, type Locator, type Page } from '@playwright/test';

/** The board's front page and the not-found page: what to find, do and check. */
export class HomePage {
  readonly board: Locator;
  readonly heading: Locator;
  readonly backToBoard: Locator;
  readonly brand: Locator;

  constructor(private readonly page: Page) {
    this.board = page.getByRole('heading', { level: 2, name: 'Latest posts' });
    this.heading = page.getByRole('heading', { level: 1 });
    this.backToBoard = page.getByRole('link', { name: 'Back to the board' });
    this.brand = page.getByRole('link', { name: 'Boardwalk' });
  }

  async open(): Promise<void> {
    await this.page.goto('/');
  }

  async expectNotFound(): Promise<void> {
    await expect(this.heading).toHaveText('Page not found');
  }
}
