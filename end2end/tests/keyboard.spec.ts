import { expect, test, type Locator, type Page } from '@playwright/test';
import { latestCode, PASSWORD, uniqueUsername } from './fixtures/api';

/** Presses Tab (or Shift+Tab) until `target` has focus, checking on the way that every
 * element that takes focus shows it. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press(key);
    const focus = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return { visible: true, what: 'body' };
      const style = getComputedStyle(element);
      const label = element.matches('input.visually-hidden') ? element.nextElementSibling : element;
      const labelStyle = label ? getComputedStyle(label) : style;
      const visible = style.outlineStyle !== 'none' || labelStyle.outlineStyle !== 'none';
      return { visible, what: element.outerHTML.slice(0, 80) };
    });
    expect(focus.visible, `focus is visible on ${focus.what}`).toBe(true);
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** After a navigation the new page's heading has focus, so a screen reader starts there. */
async function expectFocusOnHeading(page: Page, text: string | RegExp): Promise<void> {
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toHaveText(text);
  await expect(heading).toBeFocused();
}

test('a person does the whole journey with the keyboard alone', async ({ page, request }) => {
  test.setTimeout(90_000);
  const username = uniqueUsername('keys');
  await page.goto('/');
  // The SPA renders once its .wasm has started; keys pressed before that go nowhere.
  await expect(page.getByRole('link', { name: 'Sign up' })).toBeVisible();

  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();

  await tabTo(page, page.getByRole('link', { name: 'Sign up' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Sign up');
  await expect(page).toHaveTitle('Sign up · Boardwalk');

  // An empty form is refused with the error announced and tied to its field.
  await tabTo(page, page.getByRole('button', { name: 'Create account' }));
  await page.keyboard.press('Enter');
  const usernameField = page.getByLabel('Username');
  await expect(page.locator('#field-username-error')).toHaveAttribute('role', 'alert');
  await expect(usernameField).toHaveAttribute('aria-invalid', 'true');
  await expect(usernameField).toHaveAttribute('aria-describedby', 'field-username-error');

  await tabTo(page, usernameField, 'Shift+Tab');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(`${username}@example.com`);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Confirm your email');

  await tabTo(page, page.getByLabel('Code'));
  await page.keyboard.type(await latestCode(request, username));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Log in');

  await tabTo(page, page.getByLabel('Username'));
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'My account');

  await tabTo(page, page.getByRole('link', { name: 'Boardwalk' }), 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Welcome to Boardwalk');
  await tabTo(page, page.getByRole('link', { name: 'Write a post' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Write a post');

  await tabTo(page, page.getByLabel('Title'));
  await page.keyboard.type('Written with keys');
  await page.keyboard.press('Tab');
  await page.keyboard.type('No mouse was used.');
  await tabTo(page, page.getByRole('button', { name: 'Publish' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Written with keys');

  await tabTo(page, page.getByRole('link', { name: 'Edit' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Edit post');
  await expect(page.getByLabel('Title')).toHaveValue('Written with keys');
  await tabTo(page, page.getByLabel('Title'));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Edited with keys');
  await tabTo(page, page.getByRole('button', { name: 'Save changes' }));
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Edited with keys');

  // The confirmation takes focus to its safe answer and gives it back when dismissed.
  const deleteButton = page.getByRole('button', { name: 'Delete', exact: true });
  await tabTo(page, deleteButton);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Delete this post? This cannot be undone.');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(deleteButton).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Yes, delete' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Welcome to Boardwalk');
  await expect(page.getByRole('link', { name: 'Edited with keys' })).toHaveCount(0);

  await tabTo(page, page.getByRole('button', { name: 'Log out' }), 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expectFocusOnHeading(page, 'Log in');
  await expect(page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' })).toBeVisible();
});
