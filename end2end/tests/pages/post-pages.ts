import { expect, type APIRequestContext, type Page } from '@playwright/test';

/** The board's pages, split into what to do and what to check. */
export class PostPages {
  constructor(private readonly page: Page) {}

  async write(title: string, content: string): Promise<string> {
    await this.page.goto('/');
    await this.page.getByRole('link', { name: 'Write a post' }).click();
    await this.fill(title, content);
    await this.page.getByRole('button', { name: 'Publish' }).click();
    await expect(this.page).toHaveURL(/\/posts\/\d+$/);
    return this.page.url().split('/').pop() as string;
  }

  async fill(title: string, content: string): Promise<void> {
    await this.page.getByLabel('Title').fill(title);
    await this.page.getByLabel('Content').fill(content);
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save changes' }).click();
  }

  async expectPost(title: string, content: string): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(title);
    await expect(this.page.getByTestId('post-content')).toHaveText(content);
  }

  async expectNoAuthorActions(): Promise<void> {
    await expect(this.page.getByTestId('post-content')).toBeVisible();
    await expect(this.page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
    await expect(this.page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  }
}

/** Publishes a post through the REST API; returns its id. */
export async function apiPost(request: APIRequestContext, token: string, title: string, content: string): Promise<string> {
  const created = await request.post('/api/posts', {
    headers: { Authorization: `Bearer ${token}` },
    data: { title, content },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).id;
}
