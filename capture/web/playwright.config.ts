import { defineConfig } from '@playwright/test';

// Started by tests/CathLab.Station.Tests/Web (xunit), which runs a station on simulated hardware and passes its URL,
// tokens and the test rig's hook in the environment (tests/station.ts). Debian's chromium, never a downloaded one.
export default defineConfig({
  testDir: 'tests',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env['CATHLAB_REPORT'] ?? 'test-results/report.json' }]],
  outputDir: process.env['CATHLAB_ARTIFACTS'] ? `${process.env['CATHLAB_ARTIFACTS']}/playwright` : 'test-results',
  use: {
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: process.env['CATHLAB_CHROMIUM'] ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] },
  },
});
