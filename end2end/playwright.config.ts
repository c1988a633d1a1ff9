import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The server is built beforehand (`make e2e`); this only starts it, on its own port and a
// fresh data directory shared by every worker through the environment.
const port = Number(process.env.E2E_PORT ?? 3117);
const baseURL = `http://127.0.0.1:${port}`;
process.env.BOARDWALK_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'boardwalk-e2e-'));

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  workers: 2,
  reporter: [['list'], ['html', { open: 'never' }]],
  globalTeardown: './global-teardown.ts',
  // The flags spec rewrites the shared server's flags file, so it runs after all the rest.
  projects: [
    { name: 'journeys', testIgnore: /flags\.spec\.ts/ },
    { name: 'flags', testMatch: /flags\.spec\.ts/, dependencies: ['journeys'] },
  ],
  use: {
    baseURL,
    // The journeys read English; the language specs set Korean where they need it.
    locale: 'en-US',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: no browser is ever downloaded.
      executablePath: '/usr/lib/chromium/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    command: process.env.BOARDWALK_BIN ?? '../target/debug/boardwalk',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      BOARDWALK_MODE: 'local',
      BOARDWALK_ADDR: `127.0.0.1:${port}`,
      BOARDWALK_DATA_DIR: process.env.BOARDWALK_E2E_DATA_DIR,
      BOARDWALK_SITE_DIR: '../frontend/dist',
      // Every test signs up and logs in from 127.0.0.1, far beyond one person's budget.
      BOARDWALK_AUTH_ATTEMPTS_PER_HOUR: '1000000',
      BOARDWALK_AUTH_ATTEMPTS_BURST: '100000',
    },
  },
});
