import type { Budget } from "./types";

/** How close to the limit a refusal must be to count: a node refuses when `used` plus the next
 * edit's tokens would pass the limit, so a real refusal happens within a few edits of it. */
const REFUSAL_MARGIN = 0.05;

/** Is the budget exhausted now? `used >= limit`, or a node refused an edit for the budget while
 * the figures were near the limit. A refusal far below the limit is an old one (older analytics
 * report any refusal of the window, e.g. before the limit was restored): never «исчерпан» then. */
export function budgetExhausted(budget: Budget): boolean {
  const { used, limit } = budget;
  if (limit === null || used === null || limit <= 0) return budget.exceeded;
  if (used >= limit) return true;
  return budget.exceeded && limit - used <= limit * REFUSAL_MARGIN;
}

/** The share of the budget spent, 0..1 (null when the figures are unknown). */
export function budgetShare(budget: Budget): number | null {
  if (budget.limit === null || budget.used === null || budget.limit <= 0) return null;
  return Math.min(1, Math.max(0, budget.used / budget.limit));
}

const percent = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 1, minimumFractionDigits: 0 });
const smallPercent = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2, minimumFractionDigits: 0 });

/** «4 %», «37,5 %», «0,25 %» (hundredths only below 1 %). */
export function formatShare(share: number): string {
  const value = share * 100;
  return `${(value < 1 ? smallPercent : percent).format(value)} %`;
}
