"use client";

import Link from "next/link";
import { useState } from "react";
import { getMetrics } from "@/lib/api";
import { budgetExhausted } from "@/lib/budget";
import { formatNumber } from "@/lib/format";
import { usePolling } from "@/lib/use-polling";
import type { Budget } from "@/lib/types";
import { downloadCurrentDocument } from "./download";

const POLL_MS = 10_000;

/** Spec scenario 6: once a node refused an edit for the budget, say the work is over and
 * offer the final document, on every screen. */
export function BudgetBanner() {
  const { data } = usePolling((signal) => getMetrics("1h", { signal }), POLL_MS);
  return data && budgetExhausted(data.budget) ? <BudgetExhausted budget={data.budget} /> : null;
}

export function BudgetExhausted({ budget }: { budget: Budget }) {
  const [failed, setFailed] = useState(false);
  const download = () => {
    setFailed(false);
    downloadCurrentDocument().catch(() => setFailed(true));
  };
  return (
    <div role="alert" className="border-b border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-100">
      <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-3 px-4 py-3 sm:px-6">
        <strong>Бюджет токенов исчерпан — агенты завершили работу.</strong>
        {budget.limit !== null && (
          <span className="text-sm">
            Использовано {formatNumber(budget.used ?? budget.limit)} из {formatNumber(budget.limit)} токенов.
          </span>
        )}
        <div className="ml-auto flex gap-2">
          <button type="button" className="btn-primary" onClick={download}>
            Скачать итоговый документ (.txt)
          </button>
          <Link href="/document" className="btn-secondary">
            Открыть документ
          </Link>
        </div>
        {failed && <span className="w-full text-sm">Не удалось получить документ: сервис недоступен.</span>}
      </div>
    </div>
  );
}
