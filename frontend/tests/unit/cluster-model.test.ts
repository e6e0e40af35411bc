import { describe, expect, it } from "vitest";
import type { NodeState } from "@/lib/types";
import { behind, caughtUpText, clusterSummary, failingLinks, remember } from "@/ui/cluster/cluster-model";
import type { NodeView } from "@/ui/cluster/load-cluster";

const state = (node: string, version: number, extra: Partial<NodeState> = {}): NodeState => ({
  node,
  location: "",
  ready: true,
  database: "ok",
  document_id: "d1",
  version,
  timestamp: "",
  tokens_used: 0,
  outbox: {},
  replication_lag_ms: { p50: null, p95: null, p99: null, count: 0 },
  peers: {},
  ...extra,
});
const up = (name: "a" | "b" | "c", version: number, extra: Partial<NodeState> = {}): NodeView => ({
  name,
  location: name,
  health: { httpStatus: 200, status: "ok", version },
  state: state(name, version, extra),
});
const down = (name: "a" | "b" | "c"): NodeView => ({ name, location: name, health: { httpStatus: 502, status: "unavailable" }, state: null });
const catching = (name: "a" | "b" | "c", version: number): NodeView => ({
  name,
  location: name,
  health: { httpStatus: 503, status: "catching_up" },
  state: state(name, version),
});

describe("remember", () => {
  it("keeps a down node's last version, and notes how far it caught up when back", () => {
    let memory = remember({}, [up("a", 40), up("b", 40), up("c", 40)], 1000);
    memory = remember(memory, [up("a", 45), down("b"), up("c", 45)], 2000);
    expect(memory.b).toEqual({ version: 40, downSince: 2000, back: undefined });
    memory = remember(memory, [up("a", 47), down("b"), up("c", 47)], 3000);
    expect(memory.b.downSince).toBe(2000);
    memory = remember(memory, [up("a", 47), up("b", 47), up("c", 47)], 9000);
    expect(memory.b).toEqual({ version: 47, downSince: undefined, back: { from: 40, to: 47, at: 9000, downMs: 7000 } });
  });

  it("falls back to the analytics' version for a node never seen answering", () => {
    expect(remember({}, [down("b")], 1000, { b: 33 }).b.version).toBe(33);
  });
});

describe("clusterSummary", () => {
  it("is green only when all three agree", () => {
    const summary = clusterSummary([up("a", 7), up("b", 7), up("c", 7)], {});
    expect(summary).toEqual({ tone: "ok", text: "Все 3 узла работают и согласованы: версия 7." });
  });

  it("says which node is down, its last version and the lag — never green", () => {
    const nodes = [up("a", 45), down("b"), up("c", 45)];
    const summary = clusterSummary(nodes, { b: { version: 40, downSince: 1 } });
    expect(summary.tone).toBe("down");
    expect(summary.text).toBe("Узел Санкт-Петербург (b) не отвечает: последняя версия 40, отстаёт на 5 версий. Работают 2 из 3 (версия 45).");
    expect(clusterSummary(nodes, { b: { version: 44 } }, { b: "stopped" }).text).toMatch(/^Узел Санкт-Петербург \(b\) остановлен: последняя версия 44, отстаёт на 1 версию\./);
  });

  it("reports a catching-up node and a failing link as warnings", () => {
    expect(clusterSummary([up("a", 45), catching("b", 43), up("c", 45)], {})).toEqual({
      tone: "warn",
      text: "Узел Санкт-Петербург (b) догоняет остальных: отстаёт на 2 версии. Работают 2 из 3 (версия 45).",
    });
    const failing = up("a", 5, { peers: { c: { last_ack_ms: null, failing: "узел c не отвечает", state: "failing" } } });
    const summary = clusterSummary([failing, up("b", 5), up("c", 5)], {});
    expect(summary.tone).toBe("warn");
    expect(summary.text).toContain("Связь a → c не работает: узел c не отвечает.");
    expect(failingLinks([up("a", 1, { peers: { b: { last_ack_ms: 5, failing: 3 } } })])).toEqual([{ source: "a", target: "b", message: "" }]);
  });

  it("says when the nodes diverge", () => {
    const summary = clusterSummary([up("a", 9), up("b", 8), up("c", 9)], {});
    expect(summary).toEqual({ tone: "warn", text: "Узлы расходятся (a: 9 · b: 8 · c: 9) — репликация догоняет." });
  });
});

describe("caught up", () => {
  it("words the catch-up with plural forms", () => {
    expect(caughtUpText(17, 85, { a: 12, c: 5 })).toBe("догнал 17 версий за 85 мс (от a: 12, от c: 5)");
    expect(caughtUpText(1, null, {})).toBe("догнал 1 версию");
    expect(caughtUpText(3, 1200.4, { a: 3, c: 0 })).toBe("догнал 3 версии за 1\u00a0200 мс (от a: 3)");
    expect(behind(40, 45)).toBe(5);
    expect(behind(null, 45)).toBe(0);
  });
});
