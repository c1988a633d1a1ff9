import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { contextFor, everyScreen, hostileBoard, openScreen } from './fixtures/screens';

// axe-core on every page, signed in and out, with its error states and the delete dialog,
// in both languages: no violations of WCAG 2.1 A/AA or axe's best practices.
for (const locale of ['en-US', 'ko-KR']) {
  test(`every page passes axe in ${locale}`, async ({ browser, request }, testInfo) => {
    test.setTimeout(120_000);
    const board = await hostileBoard(request);
    const baseURL = testInfo.project.use.baseURL;
    const visitor = await contextFor(browser, baseURL, { width: 1280, locale });
    const member = await contextFor(browser, baseURL, { width: 1280, locale, username: board.author });
    const results: Record<string, { passes: number; violations: number }> = {};
    const found: string[] = [];
    for (const screen of everyScreen(board)) {
      const { page } = screen.signedIn ? member : visitor;
      await openScreen(page, screen);
      const scan = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
        .analyze();
      results[screen.name] = { passes: scan.passes.length, violations: scan.violations.length };
      for (const violation of scan.violations) {
        const where = violation.nodes.map((node) => node.target.join(' ')).join(', ');
        found.push(`${screen.name}: ${violation.id} (${violation.impact}) at ${where}`);
      }
    }
    await testInfo.attach(`axe results (${locale})`, {
      body: JSON.stringify(results, null, 2),
      contentType: 'application/json',
    });
    console.log(`axe ${locale}: ${JSON.stringify(results)}`);
    expect(found).toEqual([]);
    await visitor.context.close();
    await member.context.close();
  });
}
