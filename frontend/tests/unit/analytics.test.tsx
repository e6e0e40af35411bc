import { act, render, screen } from "@testing-library/react";
import { type ReactElement, cloneElement } from "react";
import { describe, expect, it, vi } from "vitest";
import type { Metrics } from "@/lib/types";
import { MetricsView } from "@/ui/analytics/analytics-dashboard";
import { BudgetBanner } from "@/ui/shell/budget-banner";
import { stubFetch } from "./fetch-stub";

// jsdom has no layout: give the charts a fixed size so they draw.
vi.mock("recharts", async (original) => ({
  ...(await original<typeof import("recharts")>()),
  ResponsiveContainer: ({ children }: { children: ReactElement<{ width?: number; height?: number }> }) =>
    cloneElement(children, { width: 480, height: 180 }),
}));

const metrics = (overrides: Partial<Metrics> = {}): Metrics => {
  const times = ["2025-01-01T12:00:00Z", "2025-01-01T12:01:00Z"];
  return {
    period: "1h",
    total_edits: 1234,
    total_tokens: 56789,
    active_agents: 3,
    avg_latency_ms: 42,
    edits_per_minute: 7.5,
    token_usage_by_time: times.map((timestamp, i) => ({ timestamp, tokens: 100 * (i + 1) })),
    edits_by_time: times.map((timestamp, i) => ({ timestamp, edits: i + 1 })),
    active_agents_by_time: times.map((timestamp) => ({ timestamp, agents: 3 })),
    latency_by_time: times.map((timestamp) => ({ timestamp, avg_latency_ms: 40 })),
    edits_by_status: { accepted: 1200, rejected: 30, superseded: 4 },
    budget: { limit: 15_000_000, used: 1_500_000, exceeded: false },
    agents: [{ agent_id: "agent-1", role: "эксперт по теме", edits: 10, tokens: 900, rejected: 1 }],
    replication: { count: 10, failed: 0, lag_ms: { p50: 3, p95: 9, p99: 20 } },
    conflicts: 34,
    bucket_seconds: 60,
    ...overrides,
  };
};

describe("MetricsView", () => {
  it("shows the figures, four charts and the budget gauge", () => {
    stubFetch({ "/api/agents": { running: false, count: 0, agents: [] } });
    render(<MetricsView metrics={metrics()} />);
    const charts = screen.getAllByTestId("time-chart");
    expect(charts).toHaveLength(4);
    for (const chart of charts) expect(chart.querySelector(".recharts-area-curve, .recharts-bar-rectangle")).not.toBeNull();
    expect(screen.getByText("Правки в минуту")).toBeInTheDocument();
    expect(screen.getByText("Расход токенов")).toBeInTheDocument();
    expect(screen.getByText("Активные агенты")).toBeInTheDocument();
    expect(screen.getByText(/1\s234/)).toBeInTheDocument();
    expect(screen.getByRole("meter")).toHaveAttribute("aria-valuenow", "10");
    expect(screen.getByText("эксперт по теме")).toBeInTheDocument();
  });

  it("shows each agent's state now, an idle one as having nothing to edit", async () => {
    stubFetch({
      "/api/agents": {
        running: true,
        count: 2,
        agents: [
          { agent_id: "agent-1", role: "эксперт по теме", state: "running" },
          { agent_id: "agent-7", role: "корректор орфографии", state: "idle" },
        ],
      },
    });
    render(<MetricsView metrics={metrics()} />);
    expect(await screen.findByText("нечего править")).toBeInTheDocument();
    expect(screen.getByText("работает")).toBeInTheDocument();
    expect(screen.getByText("корректор орфографии")).toBeInTheDocument(); // no figures yet, still listed
  });

  it("shows edit latency p50/p95, one token figure, replication with the worst link and event marks", () => {
    stubFetch({ "/api/agents": { running: false, count: 0, agents: [] } });
    const m = metrics({
      edit_latency_ms: { p50: 12, p95: 48 },
      cycle_ms: { p50: 2100, p95: 5400 },
      replication: { count: 10, failed: 1, lag_ms: { p50: 17, p95: 2200, p99: 3000, worst_link: { source: "a", target: "b", p95: 2200 } } },
    });
    const events = [
      { timestamp: "2025-01-01T12:01:20Z", kind: "node_down", node: "b", peer: null, title: "Узел b недоступен", detail: null, severity: "error" as const },
    ];
    render(<MetricsView metrics={m} events={events} />);
    expect(screen.queryByText("Средняя задержка")).not.toBeInTheDocument();
    expect(screen.getByTestId("edit-latency")).toHaveTextContent("p50 12 мс · p95 48 мс");
    expect(screen.getByText(/цикл агента p50 2,1 с · p95 5,4 с/)).toBeInTheDocument();
    expect(screen.getByTestId("replication-lag")).toHaveTextContent("p50 17 мс · p95 2,2 с");
    expect(screen.getByText(/медленнее всех a → b/)).toBeInTheDocument();
    // One token figure: the tile says what the gauge says.
    expect(screen.getAllByText(/1\s500\s000/).length).toBeGreaterThanOrEqual(2);
    expect(screen.queryByText(/56\s789/)).not.toBeInTheDocument();
    for (const chart of screen.getAllByTestId("time-chart"))
      expect(chart.querySelector('[data-testid="event-mark"]')).toHaveAttribute("data-title", "Узел b недоступен");
    expect(screen.getByTestId("event-timeline")).toHaveTextContent("Узел b недоступен");
  });

  it("says when a period has no data", () => {
    stubFetch({ "/api/agents": { running: false, count: 0, agents: [] } });
    render(<MetricsView metrics={metrics({ token_usage_by_time: [] })} />);
    expect(screen.getByText("Нет данных за период")).toBeInTheDocument();
  });
});

describe("BudgetBanner", () => {
  it("stays hidden while there is budget", async () => {
    const calls = stubFetch({ "/api/analytics/metrics": metrics() });
    render(<BudgetBanner />);
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(calls).toHaveLength(1);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("announces the end and offers the final document once the budget is spent", async () => {
    stubFetch({ "/api/analytics/metrics": metrics({ budget: { limit: 1000, used: 1000, exceeded: true } }) });
    render(<BudgetBanner />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Бюджет токенов исчерпан");
    expect(screen.getByRole("button", { name: "Скачать итоговый документ (.txt)" })).toBeInTheDocument();
  });

  it("never says «исчерпан» for a healthy budget with an old refusal", async () => {
    const calls = stubFetch({ "/api/analytics/metrics": metrics({ budget: { limit: 15_000_000, used: 600_000, exceeded: true } }) });
    render(<BudgetBanner />);
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(calls).toHaveLength(1);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });
});
