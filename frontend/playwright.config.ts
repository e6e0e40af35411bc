import { defineConfig } from "@playwright/test";

/** Browser tests against a running dashboard (DASHBOARD_URL) in front of a real stack;
 * tests/dashboard/test_browser.py starts both. Debian's chromium, never a downloaded one. */
export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results/artifacts",
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: process.env.DASHBOARD_URL ?? "http://127.0.0.1:3000",
    locale: "ru-RU",
    viewport: { width: 1366, height: 900 },
    navigationTimeout: 60_000,
    actionTimeout: 30_000,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
