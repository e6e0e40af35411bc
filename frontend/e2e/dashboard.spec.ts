import { expect, test } from "@playwright/test";
import { numberIn, shoot } from "./shots";

/** One story, in order: a person creates a document, watches it being written, and looks at
 * every screen. The stack's agents write quickly (the test stack has a high rate limit). */
test.describe.configure({ mode: "serial" });

const TOPIC = "Кошки в истории человечества";
// Straight quotes and a hyphen between words give the style corrector work from the start.
const INITIAL = 'Кошки живут рядом с людьми уже несколько тысяч лет - их приручили в древнем Египте. Слово "кошка" знакомо каждому.';

test("init form: invalid input is explained, a valid one starts the document and the agents", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Новый документ" })).toBeVisible();
  await page.getByLabel("Число агентов").fill("99");
  await page.getByRole("button", { name: "Начать работу" }).click();
  await expect(page.getByText("Укажите тему документа.")).toBeVisible();
  await expect(page.getByText("Число агентов — целое от 0 до 50.")).toBeVisible();

  await page.getByLabel("Тема документа").fill(TOPIC);
  await page.getByLabel("Начальный текст").fill(INITIAL);
  await page.getByLabel("Число агентов").fill("3");
  await page.getByText("эксперт по теме").click();
  await page.getByText("корректор стиля").click();
  await shoot(page, "init");
  await page.getByRole("button", { name: "Начать работу" }).click();
  await expect(page).toHaveURL(/\/document$/);
});

test("document: the text changes and the change is highlighted with its author", async ({ page }) => {
  await page.goto("/document");
  await expect(page.getByRole("heading", { name: TOPIC })).toBeVisible();
  await expect(page.getByTestId("document-text")).toContainText("Кошки");
  const first = await numberIn(page, "document-version");
  await expect.poll(() => numberIn(page, "document-version"), { timeout: 90_000 }).toBeGreaterThan(first);
  const fresh = page.locator('[data-testid="document-text"] mark[data-change="inserted"]').first();
  await expect(fresh).toBeVisible({ timeout: 90_000 });
  await expect(fresh).toHaveAttribute("title", /agent-\d+|автор/);
  await shoot(page, "document");
});

test("edits: pages through the table, filters by status", async ({ page }) => {
  await page.goto("/edits");
  await page.getByLabel("На странице").selectOption("10");
  await expect.poll(async () => (await page.getByTestId("page-range").textContent()) ?? "", { timeout: 90_000 }).toMatch(/^1–10 из/);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(10);
  const firstPageTop = await rows.first().getAttribute("data-status");
  expect(firstPageTop).toBeTruthy();
  await page.getByRole("button", { name: "Старее →" }).click();
  await expect(page.getByTestId("page-range")).toContainText(/^11–/);
  await expect(page.getByText(/страница 2 из/)).toBeVisible();
  await page.getByRole("button", { name: "← Новее" }).click();
  await expect(page.getByTestId("page-range")).toContainText(/^1–10/);
  await page.getByLabel("Статус").selectOption("accepted");
  await expect(page.locator('tbody tr[data-status="accepted"]').first()).toBeVisible();
  await expect(page.locator('tbody tr:not([data-status="accepted"])')).toHaveCount(0);
  await page.getByLabel("Статус").selectOption("");
  await shoot(page, "edits");
});

test("chat: the feed grows while the agents talk", async ({ page }) => {
  await page.goto("/chat");
  await expect(page.getByTestId("chat-feed")).toBeVisible();
  await expect.poll(() => numberIn(page, "chat-count"), { timeout: 90_000 }).toBeGreaterThan(0);
  const before = await numberIn(page, "chat-count");
  await expect.poll(() => numberIn(page, "chat-count"), { timeout: 90_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId("chat-message").last()).toBeInViewport();
  await shoot(page, "chat");
});

test("analytics: the charts are drawn from real figures", async ({ page }) => {
  await page.goto("/analytics");
  await expect(page.getByRole("heading", { name: "Аналитика" })).toBeVisible();
  await expect(page.getByTestId("time-chart")).toHaveCount(4);
  await expect(page.locator('[data-has-data="true"]').first()).toBeVisible({ timeout: 90_000 });
  await expect(page.locator("path.recharts-area-curve").first()).toBeVisible();
  await expect(page.locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(page.getByRole("meter")).toBeVisible();
  // The charts are laid out once their container is measured: wait for a full time axis.
  const ticks = page.getByTestId("time-chart").first().locator(".recharts-xAxis .recharts-cartesian-axis-tick");
  await expect.poll(() => ticks.count()).toBeGreaterThan(2);
  await shoot(page, "analytics");
});

test("history: the slider moves through versions and shows who made each", async ({ page }) => {
  await page.goto("/history");
  const slider = page.getByRole("slider", { name: "Версия документа" });
  await expect(slider).toBeVisible();
  await expect(page.getByTestId("provenance")).toBeVisible();
  await page.getByRole("button", { name: "Первая версия" }).click();
  await expect(page.getByTestId("slider-position")).toContainText("версия 1 из");
  await expect(page.getByTestId("history-text")).toContainText("Кошки");
  await page.getByRole("button", { name: "Следующая версия" }).click();
  await expect(page.getByTestId("slider-position")).toContainText("версия 2 из");
  await expect(page.getByTestId("provenance")).toContainText(/agent-\d+/);
  await expect(page.getByTestId("provenance")).toContainText("Правка версии 2");
  await shoot(page, "history");
});

test("cluster: a stopped node goes red and comes back green", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto("/cluster");
  const node = page.getByTestId("node-b");
  await expect(node).toContainText("Санкт-Петербург");
  await expect(page.getByTestId("node-a")).toContainText("Москва");
  await expect(page.getByTestId("node-c")).toContainText("Новосибирск");
  await expect(node).toHaveAttribute("data-health", "ok");
  await node.getByRole("button", { name: "Остановить" }).click();
  await expect(node).toHaveAttribute("data-health", "down");
  await expect(node.getByRole("button", { name: "Запустить" })).toBeVisible();
  await shoot(page, "cluster-stopped");
  await node.getByRole("button", { name: "Запустить" }).click();
  await expect(node).toHaveAttribute("data-health", "ok", { timeout: 120_000 });
  await expect(page.getByTestId("convergence")).toContainText("согласованы", { timeout: 60_000 });
  await shoot(page, "cluster");
});
