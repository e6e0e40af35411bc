// @vitest-environment node
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROLES } from "@/lib/roles";

describe("ROLES", () => {
  it("matches DEFAULT_ROLES of agents/roles.py (key and Russian name, in order)", () => {
    const source = readFileSync(resolve(__dirname, "../../../agents/roles.py"), "utf8");
    const python = [...source.matchAll(/Role\(\s*"([a-z]+)",\s*"([^"]+)",/g)].map(([, key, name]) => ({ key, name }));
    expect(python.length).toBeGreaterThan(0);
    expect(ROLES).toEqual(python);
  });
});
