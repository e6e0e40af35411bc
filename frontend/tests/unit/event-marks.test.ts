import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "@/lib/types";
import { marksFor } from "@/ui/analytics/event-marks";
import { agentRows } from "@/ui/analytics/agents-table";

const event = (timestamp: string, title: string, severity: TimelineEvent["severity"]): TimelineEvent => ({
  timestamp,
  kind: "node_down",
  node: "b",
  peer: null,
  title,
  detail: null,
  severity,
});

describe("marksFor", () => {
  const buckets = ["2026-12-06T22:00:00Z", "2026-12-06T22:01:00Z", "2026-12-06T22:02:00Z"];
  it("puts each event on the bucket holding its moment, several per bucket sharing a mark", () => {
    const marks = marksFor(
      [
        event("2026-12-06T22:01:40Z", "Узел b догнал 17 версий", "ok"),
        event("2026-12-06T22:01:10Z", "Узел b недоступен", "error"),
        event("2026-12-06T22:00:05Z", "Документ создан", "info"),
        event("2026-12-06T21:59:00Z", "раньше периода", "info"),
        event("2026-12-06T22:03:30Z", "позже последнего интервала", "info"),
      ],
      buckets,
      60,
    );
    expect(marks).toEqual([
      { at: buckets[0], titles: ["Документ создан"], severity: "info" },
      { at: buckets[1], titles: ["Узел b недоступен", "Узел b догнал 17 версий"], severity: "error" },
    ]);
    expect(marksFor([], [], 60)).toEqual([]);
  });
});

describe("agentRows", () => {
  it("lists agents that run or did something, not every token holder", () => {
    const figures = [
      { agent_id: "agent-2", role: null, edits: 4, tokens: 900, rejected: 1 },
      { agent_id: "agent-11", role: null, edits: 0, tokens: 0, rejected: 0 },
      { agent_id: "agent-12", role: "эксперт", edits: 0, tokens: 300, rejected: 0 },
    ];
    const live = [
      { agent_id: "agent-1", role: "эксперт по теме", state: "idle" },
      { agent_id: "agent-2", role: "корректор стиля", state: "running" },
      { agent_id: "agent-30", role: "популяризатор", state: "stopped", accepted: 0, rejected: 0 },
    ];
    expect(agentRows(figures, live).map((r) => [r.agent_id, r.role])).toEqual([
      ["agent-2", "корректор стиля"],
      ["agent-1", "эксперт по теме"],
      ["agent-12", "эксперт"],
    ]);
  });
});
