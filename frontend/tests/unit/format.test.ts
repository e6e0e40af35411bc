import { describe, expect, it } from "vitest";
import { VERSIONS, VERSIONS_ACC, count, formatCompact, plural } from "@/lib/format";
import { budgetExhausted, budgetShare, formatShare } from "@/lib/budget";

describe("plural", () => {
  it("picks the Russian form for 1, 2–4 and 5+ (and the teens)", () => {
    expect([1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111].map((n) => count(n, VERSIONS))).toEqual([
      "1 версия",
      "2 версии",
      "4 версии",
      "5 версий",
      "11 версий",
      "12 версий",
      "14 версий",
      "21 версия",
      "22 версии",
      "25 версий",
      "101 версия",
      "111 версий",
    ]);
    expect(`отстаёт на ${count(1, VERSIONS_ACC)}`).toBe("отстаёт на 1 версию");
    expect(plural(0, ["правка", "правки", "правок"])).toBe("правок");
  });
});

describe("formatCompact", () => {
  it("writes axis labels short, in Russian, never clipped to «00 000»", () => {
    expect(formatCompact(0)).toBe("0");
    expect(formatCompact(950)).toBe("950");
    expect(formatCompact(2.5)).toBe("2,5");
    expect(formatCompact(9999)).toBe("9\u00a0999");
    expect(formatCompact(12_000)).toBe("12 тыс.");
    expect(formatCompact(600_000)).toBe("600 тыс.");
    expect(formatCompact(1_250_000)).toBe("1,3 млн");
    expect(formatCompact(15_000_000)).toBe("15 млн");
    expect(formatCompact(3_000_000_000)).toBe("3 млрд");
  });
});

describe("budget", () => {
  it("is exhausted at the limit, or on a refusal near it — never on an old refusal far below", () => {
    expect(budgetExhausted({ used: 100, limit: 100, exceeded: false })).toBe(true);
    expect(budgetExhausted({ used: 99_900, limit: 100_000, exceeded: true })).toBe(true);
    expect(budgetExhausted({ used: 600_000, limit: 15_000_000, exceeded: true })).toBe(false);
    expect(budgetExhausted({ used: 600_000, limit: 15_000_000, exceeded: false })).toBe(false);
    expect(budgetExhausted({ used: null, limit: null, exceeded: true })).toBe(true);
  });
  it("shows the share the gauge draws", () => {
    expect(budgetShare({ used: 600_000, limit: 15_000_000, exceeded: false })).toBeCloseTo(0.04);
    expect(formatShare(0.04)).toBe("4 %");
    expect(formatShare(0.375)).toBe("37,5 %");
    expect(formatShare(0.0025)).toBe("0,25 %");
    expect(budgetShare({ used: null, limit: 5, exceeded: false })).toBeNull();
  });
});
