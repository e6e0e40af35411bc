import { describe, expect, it } from "vitest";
import { diffSegments, freshness } from "@/lib/diff";

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

describe("freshness", () => {
  it("falls from 1 to 0 over the fade time", () => {
    expect(freshness({ at: 1000 }, 1000)).toBe(1);
    expect(freshness({ at: 1000 }, 16_000)).toBeCloseTo(0.5);
    expect(freshness({ at: 1000 }, 40_000)).toBe(0);
    expect(freshness(undefined, 1000)).toBe(0);
  });
});
