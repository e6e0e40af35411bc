import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/api";
import type { NodeState } from "@/lib/types";
import { sessionCoverage } from "@/ui/cluster/cluster-model";
import { ClusterView } from "@/ui/cluster/cluster-view";
import { lastReplication, nodeStatus } from "@/ui/cluster/node-status";
import { describeError } from "@/ui/states";
import { stubFetch } from "./fetch-stub";
import { asOperator } from "./operator";

const state = (node: string, version: number): NodeState => ({
  node,
  location: "",
  ready: true,
  database: "ok",
  document_id: "d1",
  version,
  timestamp: "2025-01-01T12:00:00.000Z",
  tokens_used: 1000,
  outbox: { peer: 0 },
  replication_lag_ms: { p50: 4, p95: 12, p99: 30, count: 10 },
  peers: { a: { last_ack_ms: Date.now() - 2000, failing: null } },
});

const down = () => Response.json({ error: "bad_gateway", message: "no upstream server answered" }, { status: 502 });

describe("nodeStatus", () => {
  it("reads green, amber and red", () => {
    expect(nodeStatus({ httpStatus: 200, status: "ok" }, "running").tone).toBe("ok");
    expect(nodeStatus({ httpStatus: 503, status: "catching_up" }, "running")).toEqual({ tone: "warn", label: "догоняет остальных" });
    expect(nodeStatus({ httpStatus: 503, status: "unavailable" }, undefined).label).toBe("база данных недоступна");
    expect(nodeStatus({ httpStatus: 502, status: "unavailable" }, undefined)).toEqual({ tone: "down", label: "не отвечает" });
    expect(nodeStatus({ httpStatus: 200, status: "ok" }, "stopped").tone).toBe("down");
    expect(nodeStatus({ httpStatus: 0, status: "unreachable" }, "frozen").label).toMatch(/заморожен/);
  });
  it("takes the newest acknowledgement", () => {
    expect(lastReplication({ a: { last_ack_ms: 5 }, b: { last_ack_ms: 9 }, c: { last_ack_ms: null } })).toBe(9);
    expect(lastReplication({})).toBeNull();
  });
});

describe("ClusterView", () => {
  const nodes = {
    "/nodes/a/health": { status: "ok", version: 7 },
    "/nodes/a/api/node": state("a", 7),
    "/nodes/b/health": down,
    "/nodes/b/api/node": down,
    "/nodes/c/health": { status: "ok", version: 7 },
    "/nodes/c/api/node": state("c", 7),
  };

  it("shows the three cities with health, and hides the buttons without cluster control", async () => {
    stubFetch({ ...nodes, "/api/cluster": Response.json({ error: "not_found", message: "no such route" }, { status: 404 }) });
    render(<ClusterView />);
    const moscow = await screen.findByTestId("node-a");
    expect(moscow).toHaveTextContent("Москва");
    expect(moscow).toHaveAttribute("data-health", "ok");
    expect(within(moscow).getByTestId("node-version")).toHaveTextContent("7");
    expect(screen.getByTestId("node-b")).toHaveTextContent("Санкт-Петербург");
    expect(screen.getByTestId("node-b")).toHaveAttribute("data-health", "down");
    expect(screen.getByTestId("node-c")).toHaveTextContent("Новосибирск");
    expect(screen.getByTestId("convergence")).toHaveTextContent("Узел Санкт-Петербург (b) не отвечает.");
    expect(screen.getByTestId("convergence")).toHaveTextContent("Работают 2 из 3 (версия 7).");
    expect(screen.getByTestId("convergence")).toHaveAttribute("data-tone", "down");
    expect(screen.queryByRole("button", { name: "Остановить" })).not.toBeInTheDocument();
    expect(screen.getByText(/только при локальном запуске/)).toBeInTheDocument();
  });

  it("stops and starts a node through cluster control", async () => {
    const calls = stubFetch({
      ...nodes,
      "/api/cluster": {
        mode: "local",
        nodes: [
          { name: "a", location: "Москва", state: "running", pid: 11 },
          { name: "b", location: "Санкт-Петербург", state: "stopped", pid: null },
          { name: "c", location: "Новосибирск", state: "running", pid: 13 },
        ],
      },
      "/api/cluster/nodes/a/stop": { name: "a", state: "stopped" },
      "/api/cluster/nodes/b/start": { name: "b", state: "running" },
    });
    render(asOperator(<ClusterView />));
    const moscow = await screen.findByTestId("node-a");
    await waitFor(() => expect(within(moscow).getByRole("button", { name: "Остановить" })).toBeInTheDocument());
    expect(within(screen.getByTestId("node-b")).getByText("остановлен")).toBeInTheDocument();
    await userEvent.click(within(moscow).getByRole("button", { name: "Остановить" }));
    await userEvent.click(within(screen.getByTestId("node-b")).getByRole("button", { name: "Запустить" }));
    await waitFor(() => {
      const posts = calls.filter((c) => c.init?.method === "POST").map((c) => c.url.pathname);
      expect(posts).toEqual(["/api/cluster/nodes/a/stop", "/api/cluster/nodes/b/start"]);
    });
  });

  it("shows a catch-up, per-link state and lag, and disables control for a visitor", async () => {
    const b = {
      ...state("b", 7),
      catch_up: { state: "done", ops: 17, duration_ms: 85, from: { a: 12, c: 5 }, finished_at: null },
      peers: {
        a: { last_ack_ms: Date.now() - 1000, failing: null, state: "ok", since: null, lag_ms: { p50: 12, p95: 40 } },
        c: { last_ack_ms: null, failing: "узел c не отвечает", state: "failing", since: null, lag_ms: { p50: null, p95: null } },
      },
    };
    stubFetch({
      ...nodes,
      "/nodes/b/health": { status: "ok", version: 7 },
      "/nodes/b/api/node": b,
      "/api/cluster": {
        mode: "local",
        nodes: ["a", "b", "c"].map((name, i) => ({ name, location: "", state: "running", pid: 10 + i })),
      },
      "/api/analytics/timeline": {
        events: [{ timestamp: "2026-12-06T22:15:03Z", kind: "node_caught_up", node: "b", peer: null, title: "Узел b догнал 17 версий за 85 мс", detail: "от a: 12, от c: 5", severity: "ok" }],
        generated_at: "2026-12-06T22:15:04Z",
      },
    });
    render(<ClusterView />);
    const petersburg = await screen.findByTestId("node-b");
    expect(within(petersburg).getByTestId("node-catchup")).toHaveTextContent("При запуске догнал 17 версий за 85 мс (от a: 12, от c: 5)");
    expect(within(petersburg).getByTestId("link-a")).toHaveTextContent("работает · лаг 12 мс / p95 40 мс");
    expect(within(petersburg).getByTestId("link-c")).toHaveAttribute("data-state", "failing");
    expect(within(petersburg).getByTestId("link-c")).toHaveTextContent("узел c не отвечает");
    expect(screen.getByTestId("convergence")).toHaveTextContent("Связь b → c не работает: узел c не отвечает.");
    expect(screen.getByTestId("convergence")).toHaveAttribute("data-tone", "warn");
    await waitFor(() => expect(within(petersburg).getByRole("button", { name: "Остановить" })).toBeDisabled());
    expect(screen.getByTestId("read-only")).toHaveTextContent("войдите как оператор");
    expect(await screen.findByTestId("event-timeline")).toHaveTextContent("Узел b догнал 17 версий за 85 мс");
  });
});

describe("the session next to each node", () => {
  const session = { token: "d1;0:17,1:9,2:12", document_id: "d1", vector: { "0": 17, "1": 9, "2": 12 } };
  const withWatermark = (node: string, watermark: Record<string, number>) => ({ ...state(node, 7), watermark });

  it("shows each node's watermark beside the session's vector, and which nodes cover it", async () => {
    const calls = stubFetch({
      "/nodes/a/health": { status: "ok", version: 7 },
      "/nodes/a/api/node": withWatermark("a", { "0": 17, "1": 9, "2": 12 }),
      "/nodes/b/health": { status: "ok", version: 7 },
      "/nodes/b/api/node": withWatermark("b", { "0": 15, "1": 9, "2": 12 }),
      "/nodes/c/health": { status: "ok", version: 7 },
      "/nodes/c/api/node": state("c", 7), // an older node: no watermark
      "/session": (_url: URL, init: RequestInit | undefined) =>
        init?.method === "DELETE" ? { token: null, document_id: null, vector: null } : session,
    });
    render(<ClusterView />);
    const moscow = await screen.findByTestId("node-a");
    await waitFor(() => expect(within(moscow).getByTestId("session-vector")).toHaveTextContent("ваш сеанс видел: a 17 · b 9 · c 12"));
    expect(within(moscow).getByTestId("node-watermark")).toHaveTextContent("узел видел: a 17 · b 9 · c 12");
    expect(within(moscow).getByTestId("node-session")).toHaveAttribute("data-coverage", "ok");
    expect(within(moscow).getByTestId("node-session")).toHaveTextContent("покрывает ваш сеанс");
    const petersburg = screen.getByTestId("node-b");
    expect(within(petersburg).getByTestId("node-watermark")).toHaveTextContent("узел видел: a 15 · b 9 · c 12");
    expect(within(petersburg).getByTestId("node-session")).toHaveAttribute("data-coverage", "warn");
    expect(within(petersburg).getByTestId("node-session")).toHaveTextContent("не хватает операций вашего сеанса (от a — 2)");
    expect(within(screen.getByTestId("node-c")).getByTestId("node-session")).toHaveTextContent("узел не сообщает свой вектор");
    expect(screen.getByTestId("session-bar")).toHaveTextContent("Ваш сеанс видел: a 17 · b 9 · c 12");
    expect(screen.getByTestId("session-bar")).toHaveTextContent("его покрывают узлы: a");
    await userEvent.click(screen.getByRole("button", { name: "Начать новый сеанс" }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === "/session" && c.init?.method === "DELETE")).toBe(true));
  });

  it("says so before the browser has read anything", () => {
    expect(sessionCoverage({ token: null, document_id: null, vector: null }, { "0": 1 }).text).toMatch(/ещё ничего не читал/);
    expect(sessionCoverage(null, { "0": 1 }).tone).toBe("unknown");
  });

  it("explains a 503 session_unavailable in Russian", () => {
    const message = "узел c ещё не получил всё, что видел ваш сеанс: повторите на другом узле";
    expect(describeError(new ApiError(503, message, "session_unavailable"))).toEqual({
      title: "Ни один узел пока не догнал ваш сеанс",
      detail: message,
    });
    expect(describeError(new ApiError(503, "нет базы", "database_unavailable")).title).toBe("Сервис временно не может ответить");
  });
});
