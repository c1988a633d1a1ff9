import { expect, test } from '@playwright/test';
import { contextFor, everyScreen, hostileBoard, openScreen } from './fixtures/screens';

// Every page, filled with hostile content, at phone and desktop widths in both languages:
// nothing scrolls sideways, and each is photographed for the report.
const WIDTHS = [320, 390, 1280, 1440];
const LOCALES = ['en-US', 'ko-KR'];

/** Interactive things a finger has to hit (inline links inside sentences are exempt). */
const TARGETS =
  'button, a.button, label.button, select, input:not(.visually-hidden), textarea, summary, .site-header a:not(.skip-link), .post-link, .room-item a';

for (const locale of LOCALES) {
  for (const width of WIDTHS) {
    test(`no page scrolls sideways at ${width} px in ${locale}, with hostile content`, async ({ browser, request }, testInfo) => {
      test.setTimeout(120_000);
      const board = await hostileBoard(request);
      const baseURL = testInfo.project.use.baseURL;
      const visitor = await contextFor(browser, baseURL, { width, locale });
      const member = await contextFor(browser, baseURL, { width, locale, username: board.author });
      for (const screen of everyScreen(board)) {
        const { page } = screen.signedIn ? member : visitor;
        await openScreen(page, screen);
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        const shot = testInfo.outputPath(`${screen.name}-${width}-${locale}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        await testInfo.attach(`${screen.name} at ${width} px (${locale})`, { path: shot, contentType: 'image/png' });
        expect(scrollWidth, `${screen.name}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);

        if (width <= 390) {
          const small = await page.locator(TARGETS).evaluateAll((elements) =>
            elements
              .filter((element) => (element as HTMLElement).offsetParent !== null)
              .map((element) => ({ element, box: element.getBoundingClientRect() }))
              .filter(({ box }) => box.width > 0 && (box.height < 44 || box.width < 44))
              .map(({ element, box }) => `${element.outerHTML.slice(0, 80)} is ${Math.round(box.width)}×${Math.round(box.height)}`),
          );
          expect(small, `${screen.name}: touch targets under 44 px`).toEqual([]);
        }
      }
      await visitor.context.close();
      await member.context.close();
    });
  }
}

test('on a phone the header folds into a menu that holds every link and closes after use', async ({ browser, request }, testInfo) => {
  const board = await hostileBoard(request);
  const { page, context } = await contextFor(browser, testInfo.project.use.baseURL, {
    width: 390,
    locale: 'en-US',
    username: board.author,
  });
  const menu = page.getByRole('button', { name: 'Menu' });
  const logOut = page.getByRole('button', { name: 'Log out' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(logOut).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(logOut).toBeVisible();
  const box = await logOut.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  await page.getByRole('link', { name: 'Chats' }).click();
  await expect(page).toHaveURL('/chats');
  await expect(logOut).toBeHidden();
  await context.close();
});
