import { budgetExhausted, budgetShare, formatShare } from "@/lib/budget";
import { formatNumber } from "@/lib/format";
import type { Budget } from "@/lib/types";

const RADIUS = 80;
const ARC = Math.PI * RADIUS; // length of the half circle

/** The share of the token budget spent, as a half-circle gauge. */
export function BudgetGauge({ budget }: { budget: Budget }) {
  const measured = budgetShare(budget);
  const known = measured !== null;
  const share = measured ?? 0;
  const exhausted = budgetExhausted(budget);
  const color = exhausted || share >= 0.95 ? "#e11d48" : share >= 0.8 ? "#f59e0b" : "#10b981";
  return (
    <section className="card flex flex-col items-center" aria-label="Бюджет токенов" data-testid="budget-gauge" data-exhausted={exhausted}>
      <h2 className="mb-2 self-start text-sm font-semibold">Бюджет токенов</h2>
      <svg viewBox="0 0 200 112" className="w-full max-w-[16rem]" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} aria-label="Израсходовано бюджета, %">
        <path d="M 20 100 A 80 80 0 0 1 180 100" fill="none" stroke="currentColor" strokeOpacity={0.12} strokeWidth={16} strokeLinecap="round" />
        <path
          d="M 20 100 A 80 80 0 0 1 180 100"
          fill="none"
          stroke={color}
          strokeWidth={16}
          strokeLinecap="round"
          strokeDasharray={`${(share * ARC).toFixed(1)} ${ARC.toFixed(1)}`}
        />
        <text x="100" y="92" textAnchor="middle" className="fill-current text-2xl font-semibold">
          {known ? formatShare(share) : "—"}
        </text>
      </svg>
      <p className="muted mt-1 text-center">
        {known ? (
          <>
            {formatNumber(budget.used!)} из {formatNumber(budget.limit!)} токенов
          </>
        ) : (
          "узлы ещё не сообщили о бюджете"
        )}
      </p>
      {exhausted && <p className="mt-1 text-sm font-semibold text-rose-600 dark:text-rose-400">Бюджет исчерпан</p>}
    </section>
  );
}
