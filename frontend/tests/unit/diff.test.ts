import { describe, expect, it } from "vitest";
import { type Mark, authorsOf, carryMarks, diffSegments, expireMarks, freshness } from "@/lib/diff";

const mark = (at: number, authors = ["agent-1"], version = 2): Mark => ({ at, authors, version });

describe("diffSegments", () => {
  it("splits a change into same, deleted and inserted runs", () => {
    const segments = diffSegments("Кошки живут дома.", "Кошки живут рядом с людьми.");
    expect(segments.map((s) => s.kind)).toContain("inserted");
    expect(segments.filter((s) => s.kind !== "inserted").map((s) => s.text).join("")).toBe("Кошки живут дома.");
    expect(segments.filter((s) => s.kind !== "deleted").map((s) => s.text).join("")).toBe("Кошки живут рядом с людьми.");
  });

  it("returns one same run for identical texts", () => {
    expect(diffSegments("ёлочки «»", "ёлочки «»")).toEqual([{ kind: "same", text: "ёлочки «»" }]);
  });
});

describe("carryMarks", () => {
  it("marks an insertion and keeps the rest unmarked", () => {
    const spans = carryMarks([{ text: "Первое. Третье." }], "Первое. Второе. Третье.", () => mark(1000));
    expect(spans.map((s) => s.text).join("")).toBe("Первое. Второе. Третье.");
    const marked = spans.filter((s) => s.mark);
    expect(marked.map((s) => s.text).join("")).toContain("Второе");
  });

  it("keeps an older mark when a later edit changes another place", () => {
    const older = mark(1000, ["agent-1"]);
    const first = carryMarks([{ text: "А. Б." }], "А. Новое. Б.", () => older);
    const second = carryMarks(first, "А. Новое. Б. В конце.", () => mark(2000, ["agent-2"]));
    expect(second.map((s) => s.text).join("")).toBe("А. Новое. Б. В конце.");
    expect(second.find((s) => s.text.includes("Новое"))?.mark).toBe(older);
    expect(second.find((s) => s.text.includes("В конце"))?.mark?.authors).toEqual(["agent-2"]);
  });

  it("drops deleted text, marks included", () => {
    const first = carryMarks([{ text: "Один два три" }], "Один два лишнее три", () => mark(1));
    const second = carryMarks(first, "Один два три", () => mark(2));
    expect(second.map((s) => s.text).join("")).toBe("Один два три");
    expect(second.every((s) => !s.mark)).toBe(true);
  });
});

describe("fading", () => {
  it("goes from 1 to 0 over the fade time and then the mark is dropped", () => {
    expect(freshness(mark(0), 0, 30_000)).toBe(1);
    expect(freshness(mark(0), 15_000, 30_000)).toBeCloseTo(0.5);
    expect(freshness(mark(0), 40_000, 30_000)).toBe(0);
    expect(freshness(undefined, 0)).toBe(0);
    const spans = expireMarks([{ text: "a" }, { text: "b", mark: mark(0) }, { text: "c" }], 31_000, 30_000);
    expect(spans).toEqual([{ text: "abc" }]);
  });
});

describe("authorsOf", () => {
  const candidates = [
    { agent: "agent-1", text: "Их приручили в Египте." },
    { agent: "agent-2", text: "«" },
  ];
  it("finds the edit whose text contains the inserted run", () => {
    expect(authorsOf("приручили", candidates)).toEqual(["agent-1"]);
  });
  it("falls back to every candidate when nothing matches", () => {
    expect(authorsOf("совсем другое", candidates)).toEqual(["agent-1", "agent-2"]);
  });
});
