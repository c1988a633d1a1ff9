import { expect, type Locator, type Page } from '@playwright/test';

/** The chat pages: the room list with its badges, one room, and the header's unread total. */
export class ChatPages {
  readonly people: Locator;
  readonly roomName: Locator;
  readonly startButton: Locator;
  readonly rooms: Locator;
  readonly message: Locator;
  readonly messages: Locator;
  readonly outgoing: Locator;
  readonly headerUnread: Locator;
  readonly alert: Locator;

  constructor(private readonly page: Page) {
    this.people = page.getByLabel('People (usernames, separated by commas)');
    this.roomName = page.getByLabel('Room name (for three or more people)');
    this.startButton = page.getByRole('button', { name: 'Start' });
    this.rooms = page.getByRole('region', { name: 'Your rooms' }).getByRole('listitem');
    this.message = page.getByLabel('Message', { exact: true });
    this.messages = page.getByRole('list', { name: 'Messages' }).getByTestId('message');
    this.outgoing = page.getByTestId('outgoing');
    this.headerUnread = page.getByTestId('unread-total');
    this.alert = page.getByRole('alert');
  }

  async openList(): Promise<void> {
    await this.page.goto('/chats');
    await expect(this.page.getByRole('heading', { name: 'Your rooms' })).toBeVisible();
  }

  /** Starts a direct conversation with `username`; returns the room id. */
  async startWith(username: string): Promise<string> {
    await this.openList();
    await this.people.fill(username);
    await this.startButton.click();
    await expect(this.page).toHaveURL(/\/chats\/[\w-]+$/);
    return this.page.url().split('/').pop() as string;
  }

  /** Types and sends with Enter, as a person does. */
  async say(text: string): Promise<void> {
    await this.message.fill(text);
    await this.message.press('Enter');
  }

  room(name: string): Locator {
    return this.rooms.filter({ has: this.page.getByRole('link', { name, exact: true }) });
  }

  async expectUnread(name: string, count: number): Promise<void> {
    await expect(this.room(name).getByTestId('room-unread')).toHaveText(String(count));
  }

  async expectMessage(text: string): Promise<void> {
    await expect(this.messages.filter({ hasText: text })).toHaveCount(1);
  }
}
