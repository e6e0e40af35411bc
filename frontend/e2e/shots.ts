import type { Page } from "@playwright/test";

/** Where each screen's screenshot goes (gitignored; docs/screenshots holds a chosen copy). */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? "test-results/screenshots";

const frames = (page: Page, count: number) =>
  page.evaluate(
    (n) =>
      new Promise<void>((resolve) => {
        const step = (left: number) => (left === 0 ? resolve() : requestAnimationFrame(() => step(left - 1)));
        step(n);
      }),
    count,
  );

/** The whole page as `dashboard-<screen>.png`. The viewport is first made as tall as the page
 * and the page given a few frames to lay out again: a full-page capture that resizes during
 * the shot can catch the charts half re-measured. */
export async function shoot(page: Page, screen: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1366, height: 900 };
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header belongs at the top
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await frames(page, 4);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-${screen}.png` });
  await page.setViewportSize(viewport);
}

/** A number shown in an element (digits with Russian thousands separators). */
export async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).first().textContent()) ?? "";
  return Number(text.replace(/[^\d]/g, "") || "0");
}
