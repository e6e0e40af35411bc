import type { Budget } from "./types";

/** A node refused an edit for the budget in the metrics window, or the last reported figures
 * reached the limit (the refusal itself may be older than the window). */
export function budgetExhausted(budget: Budget): boolean {
  return budget.exceeded || (budget.limit !== null && budget.used !== null && budget.used >= budget.limit);
}
