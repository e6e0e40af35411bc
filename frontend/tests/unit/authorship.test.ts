import { describe, expect, it } from "vitest";
import {
  agentColor,
  authorsIn,
  carryGhosts,
  deletions,
  hash,
  mapOffset,
  newestRun,
  runsToSegments,
  withGhosts,
} from "@/lib/authorship";
import type { AuthorRun } from "@/lib/types";

const run = (start: number, end: number, agent: string, version: number): AuthorRun => ({
  start,
  end,
  edit_id: `e${version}`,
  agent_id: agent,
  kind: "replace",
  version,
  timestamp: "2026-12-06T22:15:03.120Z",
});

describe("agentColor", () => {
  it("is stable per agent and differs between agents", () => {
    expect(agentColor("agent-3")).toEqual(agentColor("agent-3"));
    expect(hash("agent-3")).toBe(hash("agent-3"));
    const colours = new Set(["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"].map((a) => agentColor(a).solid));
    expect(colours.size).toBeGreaterThanOrEqual(4);
  });
  it("gives the operator and unknown authors a neutral grey", () => {
    expect(agentColor("operator")).toEqual(agentColor(""));
    expect(agentColor("operator").solid).toMatch(/^rgb/);
  });
});

describe("runsToSegments", () => {
  const text = "Кошки живут рядом с людьми.";
  const runs = [run(0, 12, "operator", 1), run(12, 26, "agent-2", 5), run(26, 27, "operator", 1)];

  it("cuts the text along the runs, and they concatenate back to it", () => {
    const segments = runsToSegments(text, runs);
    expect(segments.map((s) => s.text)).toEqual(["Кошки живут ", "рядом с людьми", "."]);
    expect(segments.map((s) => s.run?.agent_id)).toEqual(["operator", "agent-2", "operator"]);
    expect(segments.map((s) => s.text).join("")).toBe(text);
  });

  it("counts offsets in code points and fills gaps with unknown authors", () => {
    const astral = "😀 кот";
    const segments = runsToSegments(astral, [run(0, 2, "agent-1", 2)]);
    expect(segments.map((s) => s.text)).toEqual(["😀 ", "кот"]);
    expect(segments[1].run).toBeNull();
  });

  it("lists authors by share and finds the newest edit", () => {
    const segments = runsToSegments(text, runs);
    expect(authorsIn(segments)).toEqual([
      { agentId: "agent-2", chars: 14 },
      { agentId: "operator", chars: 13 },
    ]);
    expect(newestRun(segments)?.edit_id).toBe("e5");
  });
});

describe("ghosts", () => {
  it("finds deleted text and where it stood", () => {
    expect(deletions("Кошки очень живут дома.", "Кошки живут дома.", 7)).toEqual([{ at: 5, text: " очень", since: 7 }]);
    expect(deletions("А  Б", "А Б", 7)).toEqual([]); // whitespace-only: not worth a ghost
  });

  it("moves a ghost through a later edit, and lets it go once faded", () => {
    expect(mapOffset("Б В", "А Б В", 2)).toBe(4);
    expect(mapOffset("А Б В", "А Б В Г", 2)).toBe(2);
    const ghosts = [{ at: 2, text: "x", since: 0 }];
    expect(carryGhosts(ghosts, "Б В", "А Б В", 1000, 5000)).toEqual([{ at: 4, text: "x", since: 0 }]);
    expect(carryGhosts(ghosts, "Б В", "Б В", 6000, 5000)).toEqual([]);
  });

  it("places ghosts between and inside segments", () => {
    const segments = runsToSegments("АБВГ", [run(0, 2, "agent-1", 2), run(2, 4, "agent-2", 3)]);
    const pieces = withGhosts(segments, [
      { at: 1, text: "x", since: 0 },
      { at: 2, text: "y", since: 0 },
      { at: 4, text: "z", since: 0 },
    ]);
    expect(pieces.map((p) => (p.kind === "ghost" ? `-${p.ghost.text}` : p.segment.text))).toEqual(["А", "-x", "Б", "-y", "ВГ", "-z"]);
  });
});
