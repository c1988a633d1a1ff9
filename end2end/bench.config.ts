import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench`: the SPA timing on the release server, one test at a time so runs do not
// compete for the 2 cores.
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  projects: undefined,
  fullyParallel: false,
  workers: 1,
  reporter: 'list',
});
