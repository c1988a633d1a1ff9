import { expect, type Locator, type Page } from '@playwright/test';

/** The board's front page and the not-found page: what to find, do and check. */
export class HomePage {
  readonly visits: Locator;
  readonly heading: Locator;
  readonly backToBoard: Locator;
  readonly brand: Locator;

  constructor(private readonly page: Page) {
    this.visits = page.getByTestId('visits');
    this.heading = page.getByRole('heading', { level: 1 });
    this.backToBoard = page.getByRole('link', { name: 'Back to the board' });
    this.brand = page.getByRole('link', { name: 'Boardwalk' });
  }

  async open(): Promise<void> {
    await this.page.goto('/');
  }

  /** Waits for the server function's answer and returns the count it rendered. */
  async visitCount(): Promise<number> {
    await expect(this.visits).toHaveText(/^This board has been opened \d+ times?\.$/);
    const text = await this.visits.textContent();
    return Number(/(\d+)/.exec(text ?? '')?.[1]);
  }

  async expectNotFound(): Promise<void> {
    await expect(this.heading).toHaveText('Page not found');
  }
}
