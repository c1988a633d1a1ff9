import { expect, type Locator, type Page } from '@playwright/test';

/** The board's front page, split into what to find, what to do and what to check. */
export class HomePage {
  readonly visits: Locator;
  readonly heading: Locator;

  constructor(private readonly page: Page) {
    this.visits = page.getByTestId('visits');
    this.heading = page.getByRole('heading', { level: 1 });
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
}

/** Collects console errors and uncaught exceptions, which a healthy page has none of. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
