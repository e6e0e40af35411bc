import { type Page, expect, test } from "@playwright/test";
import { agentColor } from "../lib/authorship";
import { numberIn, shoot } from "./shots";

/** One story, in order: a person creates a document, watches it being written, and looks at
 * every screen. The stack's agents write quickly (the test stack has a high rate limit). */
test.describe.configure({ mode: "serial" });

const TOPIC = "Кошки в истории человечества";
// Straight quotes and a hyphen between words give the style corrector work from the start.
const INITIAL = 'Кошки живут рядом с людьми уже несколько тысяч лет - их приручили в древнем Египте. Слово "кошка" знакомо каждому.';
/** The operator token the dashboard was started with (tests/dashboard/test_browser.py passes it). */
const OPERATOR_TOKEN = process.env.OPERATOR_TOKEN ?? "";

/** Sign this test's browser context in as the operator (the session cookie, as the form sets it). */
async function signIn(page: Page) {
  const response = await page.request.post("/operator/session", { data: { token: OPERATOR_TOKEN } });
  expect(response.status()).toBe(200);
}

test("sign-in: a visitor only reads, an unsigned write is refused, the operator signs in", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Начать работу" })).toBeDisabled();
  await expect(page.getByTestId("read-only")).toContainText("войдите как оператор");
  const refused = await page.request.post("/api/document/init", { data: { topic: "Чужая тема", initial_text: "" } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).message).toMatch(/войдите как оператор/);

  await page.getByTestId("sign-in-link").click();
  await expect(page.getByRole("heading", { name: "Вход оператора" })).toBeVisible();
  await page.getByLabel("Токен оператора").fill("не тот токен");
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page.locator("#operator-token-error")).toContainText("Неверный токен оператора");
  await page.getByLabel("Токен оператора").fill(OPERATOR_TOKEN);
  await page.getByRole("button", { name: "Войти" }).click();
  await expect(page.getByTestId("operator-badge")).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "chorus_operator");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Strict");
  expect(session?.value).not.toContain(OPERATOR_TOKEN);
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Начать работу" })).toBeEnabled();
});

test("init form: invalid input is explained, a valid one starts the document and the agents", async ({ page }) => {
  await signIn(page);
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

test("document: the text is coloured by author exactly as the authorship endpoint says", async ({ page }) => {
  await page.goto("/document");
  await expect(page.getByRole("heading", { name: TOPIC })).toBeVisible();
  const article = page.getByTestId("document-text");
  await expect(article).toContainText("Кошки");
  await expect(article).toHaveAttribute("data-authorship", "runs");
  const first = await numberIn(page, "document-version");
  await expect.poll(() => numberIn(page, "document-version"), { timeout: 90_000 }).toBeGreaterThan(first);
  // An agent's fresh edit is marked and named on hover.
  const fresh = article.locator('[data-run][data-change="inserted"]:not([data-agent="operator"])').first();
  await expect(fresh).toBeVisible({ timeout: 90_000 });
  await expect(fresh).toHaveAttribute("title", /agent-\d+.* · версия \d+ · правка /);
  // Wait for text by the operator and at least one agent, then compare with the endpoint.
  await expect
    .poll(() => article.locator("[data-run]").evaluateAll((spans) => new Set(spans.map((s) => (s as HTMLElement).dataset.agent)).size), {
      timeout: 90_000,
    })
    .toBeGreaterThanOrEqual(2);
  const shown = await article.evaluate((element) => {
    const spans = [...element.querySelectorAll<HTMLElement>("[data-run]")].map((span) => ({
      start: Number(span.dataset.start),
      end: Number(span.dataset.end),
      agent: span.dataset.agent ?? "",
      edit: span.dataset.edit ?? "",
      colour: span.dataset.color ?? "",
      fresh: span.dataset.change === "inserted",
      background: span.style.backgroundColor,
    }));
    return { version: Number(element.dataset.version), spans };
  });
  const response = await page.request.get(`/api/document/authorship?version=${shown.version}`);
  expect(response.status()).toBe(200);
  const authorship = (await response.json()) as { text: string; runs: { start: number; end: number; edit_id: string; agent_id: string }[] };
  expect(authorship.runs.map((r) => authorship.text.slice(r.start, r.end)).join("")).toBe(authorship.text);
  expect(shown.spans[0].start).toBe(0);
  expect(shown.spans[shown.spans.length - 1].end).toBe([...authorship.text].length);
  const expectedColours = await page.evaluate((colours) => {
    const probe = document.createElement("span");
    return Object.fromEntries(
      Object.entries(colours).map(([agent, colour]) => {
        probe.style.backgroundColor = colour;
        return [agent, probe.style.backgroundColor];
      }),
    );
  }, Object.fromEntries(authorship.runs.map((r) => [r.agent_id, agentColor(r.agent_id).background])));
  for (const span of shown.spans) {
    const run = authorship.runs.find((r) => r.start <= span.start && span.end <= r.end);
    expect(run, `a run covering ${span.start}..${span.end}`).toBeDefined();
    expect(span.edit).toBe(run!.edit_id);
    expect(span.agent).toBe(run!.agent_id);
    expect(span.colour).toBe(agentColor(run!.agent_id).solid);
    if (!span.fresh) expect(span.background).toBe(expectedColours[run!.agent_id]);
  }
  await expect(page.getByTestId("author-legend")).toContainText(/agent-\d+/);
  await page.getByRole("button", { name: "К последней правке" }).click();
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
  await expect(page.getByTestId("history-text")).toHaveAttribute("data-authorship", "runs");
  await expect(page.getByTestId("history-text").locator('[data-run][data-version="2"]').first()).toBeVisible();
  await shoot(page, "history");
});

test("cluster: a killed node shows down with its last version and lag, then catches up", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.goto("/cluster");
  const node = page.getByTestId("node-b");
  await expect(node).toContainText("Санкт-Петербург");
  await expect(page.getByTestId("node-a")).toContainText("Москва");
  await expect(page.getByTestId("node-c")).toContainText("Новосибирск");
  await expect(node).toHaveAttribute("data-health", "ok");
  await expect(page.getByTestId("convergence")).toHaveAttribute("data-tone", /ok|warn/);
  // This browser's session: after one document read each card shows its vector next to the node's.
  expect((await page.request.get("/api/document/current")).status()).toBe(200);
  const sessionCookie = (await page.context().cookies()).find((c) => c.name === "chorus_text_session");
  expect(sessionCookie?.httpOnly).toBe(true);
  await expect(page.getByTestId("node-a").getByTestId("session-vector")).toContainText(/ваш сеанс видел: a \d+ · b \d+ · c \d+/);
  await expect(page.getByTestId("node-a").getByTestId("node-watermark")).toContainText(/узел видел: a \d+ · b \d+ · c \d+/);
  await expect(page.getByTestId("session-bar")).toContainText(/его покрывают узлы: [abc]/, { timeout: 10_000 });
  const versionOf = async () => Number(((await node.getByTestId("node-version").textContent()) ?? "").replace(/\D/g, ""));
  const before = await versionOf();

  await node.getByRole("button", { name: "Убить (SIGKILL)" }).click();
  await expect(node).toHaveAttribute("data-health", "down", { timeout: 3000 });
  await expect(node.getByTestId("node-lag")).toContainText(/Последняя известная версия \d+/, { timeout: 3000 });
  expect(await versionOf()).toBeGreaterThanOrEqual(before);
  await expect(page.getByTestId("convergence")).toHaveAttribute("data-tone", "down");
  await expect(page.getByTestId("convergence")).toContainText(/Узел Санкт-Петербург \(b\) (не отвечает|остановлен): последняя версия \d+/);
  await expect(page.getByTestId("convergence")).not.toContainText("согласованы");
  // The agents keep writing on a and c: b falls behind, and the card says by how much.
  await expect(node.getByTestId("node-lag")).toContainText(/отстаёт на \d+ верси(ю|и|й)/, { timeout: 60_000 });
  await expect(page.getByTestId("timeline-event").filter({ hasText: /Узел b|→ b/ }).first()).toBeVisible({ timeout: 60_000 });
  await shoot(page, "cluster-stopped");

  await node.getByRole("button", { name: "Запустить" }).click();
  // Either the catching-up state is caught on screen, or the catch-up is reported afterwards.
  await expect(node.locator('[data-testid="node-catchup"], [data-testid="node-catching-up"]').first()).toBeVisible({ timeout: 120_000 });
  await expect(node.getByTestId("node-catchup")).toContainText(/догнал \d+ верси(ю|и|й)/, { timeout: 60_000 });
  await expect(node).toHaveAttribute("data-health", "ok", { timeout: 120_000 });
  await expect(page.getByTestId("convergence")).toHaveAttribute("data-tone", "ok", { timeout: 60_000 });
  await expect(page.getByTestId("convergence")).toContainText("согласованы");
  await expect(page.getByTestId("timeline-event").filter({ hasText: /догнал|вернулся|снова/ }).first()).toBeVisible({ timeout: 60_000 });
  await shoot(page, "cluster");
});

test("analytics: the charts are drawn from real figures, the outage marked on each", async ({ page }) => {
  await page.goto("/analytics");
  await expect(page.getByRole("heading", { name: "Аналитика" })).toBeVisible();
  const charts = page.getByTestId("time-chart");
  await expect(charts).toHaveCount(4);
  await expect(page.locator('[data-has-data="true"]').first()).toBeVisible({ timeout: 90_000 });
  await expect(page.locator("path.recharts-area-curve").first()).toBeVisible();
  await expect(page.locator(".recharts-bar-rectangle path").first()).toBeVisible();
  await expect(page.getByRole("meter")).toBeVisible();
  await expect(page.getByTestId("budget-gauge")).toHaveAttribute("data-exhausted", "false");
  await expect(page.getByText("Бюджет токенов исчерпан")).toHaveCount(0);
  await expect(page.getByTestId("edit-latency")).toContainText(/p50 \d/);
  // The charts are laid out once their container is measured: wait for a full time axis.
  const ticks = charts.first().locator(".recharts-xAxis .recharts-cartesian-axis-tick");
  await expect.poll(() => ticks.count()).toBeGreaterThan(2);
  const aboutB = (index: number) =>
    charts
      .nth(index)
      .locator('[data-testid="event-mark"]')
      .evaluateAll((marks) => marks.filter((mark) => /(^|[^\p{L}])b([^\p{L}]|$)/u.test(mark.getAttribute("data-title") ?? "")).length);
  for (let index = 0; index < 4; index++) await expect.poll(() => aboutB(index), { timeout: 30_000 }).toBeGreaterThan(0);
  // No clipped y-axis labels: each is short enough for the axis (e.g. «600 тыс.», not «600 000»).
  const labels = await page.locator(".recharts-yAxis .recharts-cartesian-axis-tick-value").allTextContents();
  for (const label of labels) expect(label.replace(/\s/g, "").length).toBeLessThanOrEqual(7);
  await shoot(page, "analytics");
});

test("mobile: at 390 px the nav is a menu, «Чат» is reachable and nothing scrolls sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/document");
  await expect(page.getByTestId("document-text")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.getByRole("button", { name: "Меню" }).click();
  await page.getByRole("link", { name: "Чат агентов" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId("chat-feed")).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shoot(page, "mobile");
  for (const screen of ["/", "/edits", "/analytics", "/history", "/cluster", "/signin"]) {
    await page.goto(screen);
    await page.waitForLoadState("networkidle").catch(() => undefined); // polling pages never idle for long
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `sideways scroll on ${screen}`).toBeLessThanOrEqual(390);
  }
});
