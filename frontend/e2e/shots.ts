import type { Page } from "@playwright/test";

/** Where each screen's screenshot goes (gitignored; docs/screenshots holds a chosen copy). */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? "test-results/screenshots";

export async function shoot(page: Page, screen: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header belongs at the top
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-${screen}.png`, fullPage: true });
}

/** A number shown in an element (digits with Russian thousands separators). */
export async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().textContent()) ?? "";
  return Number(text.replace(/[^\d]/g, "") || "0");
}
