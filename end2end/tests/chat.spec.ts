import { writeFileSync } from 'node:fs';
import { expect, test, type Browser, type Page, type TestInfo } from '@playwright/test';
import { apiLogIn, apiRoomStatus, collectPageErrors, uniqueUsername } from './fixtures/api';
import { signedIn } from './pages/account-pages';
import { ChatPages } from './pages/chat-pages';

/** A person signed in through the UI in a browser context of their own. */
async function person(browser: Browser, testInfo: TestInfo, prefix: string): Promise<{ name: string; page: Page; chat: ChatPages }> {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const page = await context.newPage();
  const name = uniqueUsername(prefix);
  await signedIn(page, context.request, name);
  return { name, page, chat: new ChatPages(page) };
}

test('two people chat live in a room, the badge clears once read, and a third person gets 404', async ({ browser }, testInfo) => {
  const a = await person(browser, testInfo, 'ann');
  const b = await person(browser, testInfo, 'ben');
  const errors = [...collectPageErrors(a.page), ...collectPageErrors(b.page)];
  await b.chat.openList();

  const room = await a.chat.startWith(b.name);
  await a.chat.say(`Hello ${b.name}`);
  await a.chat.expectMessage(`Hello ${b.name}`);

  // B's list shows the new room with its unread message, without a reload.
  await b.chat.expectUnread(a.name, 1);
  await expect(b.chat.headerUnread).toHaveText('1');

  await b.chat.room(a.name).getByRole('link').click();
  await b.chat.expectMessage(`Hello ${b.name}`);
  await expect(b.chat.headerUnread).toHaveCount(0);

  await b.chat.say('Hi! Got it.');
  await a.chat.expectMessage('Hi! Got it.');
  await a.chat.say('Second line\nwith a break');
  await b.chat.expectMessage('Second line');
  await expect(b.chat.headerUnread).toHaveCount(0, { timeout: 5_000 });

  const c = await person(browser, testInfo, 'cid');
  await c.page.goto(`/chats/${room}`);
  await expect(c.chat.alert.first()).toHaveText('It is not here. It may have been deleted.');
  const token = await apiLogIn(c.page.context().request, c.name);
  expect(await apiRoomStatus(c.page.context().request, token, room)).toBe(404);
  expect(errors).toEqual([]);
});

test('a message that could not be sent stays, marked, and goes on retry', async ({ browser }, testInfo) => {
  const a = await person(browser, testInfo, 'amy');
  const b = await person(browser, testInfo, 'bo');
  await a.chat.startWith(b.name);

  await a.page.route('**/api/fn/send_message', (route) => route.abort('internetdisconnected'));
  await a.chat.say('Sent while offline');
  await expect(a.chat.outgoing.filter({ hasText: 'Sent while offline' })).toContainText('Not sent');

  await a.page.unroute('**/api/fn/send_message');
  await a.chat.outgoing.getByRole('button', { name: 'Retry' }).click();
  await a.chat.expectMessage('Sent while offline');
  await expect(a.chat.outgoing).toHaveCount(0);
});

test('delivery latency from one browser to the other (median of 20)', async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const a = await person(browser, testInfo, 'lat');
  const b = await person(browser, testInfo, 'ency');
  const room = await a.chat.startWith(b.name);
  await b.page.goto(`/chats/${room}`);
  await b.chat.message.waitFor();
  // B's page notes when each message appears, on the machine's clock (both pages share it).
  await b.page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { __seen: Record<string, number> }).__seen = seen;
    new MutationObserver(() => {
      for (const node of document.querySelectorAll('[data-testid="message"] .message-text')) {
        const text = node.textContent ?? '';
        if (text.startsWith('ping ') && !(text in seen)) seen[text] = Date.now();
      }
    }).observe(document.body, { childList: true, subtree: true });
  });

  const latencies: number[] = [];
  for (let n = 0; n < 20; n++) {
    const text = `ping ${n}`;
    await a.chat.message.fill(text);
    const sentAt = await a.page.evaluate(() => Date.now());
    await a.chat.message.press('Enter');
    await expect.poll(() => b.page.evaluate((t) => (window as unknown as { __seen: Record<string, number> }).__seen[t], text)).toBeGreaterThan(0);
    const seenAt = await b.page.evaluate((t) => (window as unknown as { __seen: Record<string, number> }).__seen[t], text);
    latencies.push(seenAt - sentAt);
    await a.page.waitForTimeout(1_100); // one person may send one message a second after a burst
  }
  latencies.sort((x, y) => x - y);
  const median = (latencies[9] + latencies[10]) / 2;
  const report = { median, min: latencies[0], max: latencies[19], samples: latencies };
  console.log(`chat delivery latency, local mode, 20 messages: median ${median} ms (min ${report.min}, max ${report.max})`);
  writeFileSync(testInfo.outputPath('chat-latency.json'), JSON.stringify(report, null, 2));
  await testInfo.attach('chat-latency.json', { path: testInfo.outputPath('chat-latency.json') });
  expect(latencies).toHaveLength(20);
});
