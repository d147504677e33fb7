// Browser tests of `lever playground` (tests/playground/run_browser_tests.sh starts the server and sets
// PLAYGROUND_URL). Debian's chromium, headless; no browser is downloaded.
const {defineConfig} = require('@playwright/test');

module.exports = defineConfig({
  testDir: './tests',
  timeout: 90_000,
  workers: 1,
  reporter: [['list']],
  outputDir: process.env.PLAYGROUND_OUTPUT || 'test-results',
  use: {
    baseURL: process.env.PLAYGROUND_URL,
    viewport: {width: 1700, height: 1000},
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    },
  },
});
