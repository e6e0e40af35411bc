"use client";

import { useState } from "react";
import { getMetrics } from "@/lib/api";
import { formatMs, formatNumber } from "@/lib/format";
import type { Metrics, Period } from "@/lib/types";
import { usePolling } from "@/lib/use-polling";
import { ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { AgentsTable } from "./agents-table";
import { useAgentListing } from "../agents/use-agent-roles";
import { BudgetGauge } from "./budget-gauge";
import { StatCard } from "./stat-card";
import { type TimePoint, TimeChart } from "./time-chart";

const POLL_MS = 5000;
const PERIODS: { value: Period; label: string }[] = [
  { value: "1h", label: "1 час" },
  { value: "24h", label: "24 часа" },
  { value: "7d", label: "7 дней" },
];

const series = <T extends { timestamp: string }>(points: T[], pick: (p: T) => number): TimePoint[] =>
  points.map((p) => ({ timestamp: p.timestamp, value: pick(p) }));

/** Spec scenario 7 and technical scenario 5: GET /api/analytics/metrics as charts. */
export function AnalyticsDashboard() {
  const [period, setPeriod] = useState<Period>("1h");
  const { data, error, loading, refresh } = usePolling((signal) => getMetrics(period, { signal }), POLL_MS, period);

  return (
    <div>
      <PageHeader title="Аналитика" subtitle="Правки, токены, агенты и задержки; обновляется каждые 5 с.">
        <div role="radiogroup" aria-label="Период" className="flex rounded-lg border border-slate-300 p-0.5 dark:border-slate-700">
          {PERIODS.map(({ value, label }) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={period === value}
              onClick={() => setPeriod(value)}
              className={`rounded-md px-3 py-1 text-sm ${period === value ? "bg-indigo-600 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
            >
              {label}
            </button>
          ))}
        </div>
      </PageHeader>
      {loading ? (
        <Loading label="Считаем метрики…" />
      ) : !data ? (
        <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />
      ) : (
        <MetricsView metrics={data} error={error} />
      )}
    </div>
  );
}

export function MetricsView({ metrics: m, error }: { metrics: Metrics; error?: Error }) {
  const live = useAgentListing(5000);
  const longRange = m.bucket_seconds >= 3600 || m.period !== "1h";
  const perBucket = m.bucket_seconds === 60 ? "в минуту" : `за ${Math.round(m.bucket_seconds / 60)} мин`;
  return (
    <div className="space-y-5">
      <StaleNotice error={error} />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <StatCard label="Правок" value={formatNumber(m.total_edits)} hint={`${m.edits_per_minute.toFixed(1)} в минуту`} />
        <StatCard label="Токенов" value={formatNumber(m.total_tokens)} />
        <StatCard label="Активных агентов" value={formatNumber(m.active_agents)} />
        <StatCard label="Средняя задержка" value={formatMs(m.avg_latency_ms)} hint="от запроса до записи" />
        <StatCard
          label="Отклонено / перезаписано"
          value={`${formatNumber(m.edits_by_status.rejected)} / ${formatNumber(m.edits_by_status.superseded)}`}
          hint={`конфликтов: ${formatNumber(m.conflicts)}`}
        />
        <StatCard
          label="Репликация"
          value={formatMs(m.replication.lag_ms.p95)}
          hint={`p50 ${formatMs(m.replication.lag_ms.p50)} · p99 ${formatMs(m.replication.lag_ms.p99)} · сбоев ${formatNumber(m.replication.failed)}`}
        />
      </div>
      <div className="grid gap-4 lg:grid-cols-[1fr_1fr_18rem]">
        <TimeChart title={`Правки ${perBucket}`} points={series(m.edits_by_time, (p) => p.edits)} unit="правок" color="#6366f1" kind="bar" longRange={longRange} />
        <TimeChart title="Расход токенов" points={series(m.token_usage_by_time, (p) => p.tokens)} unit="токенов" color="#f59e0b" longRange={longRange} />
        <BudgetGauge budget={m.budget} />
        <TimeChart title="Активные агенты" points={series(m.active_agents_by_time, (p) => p.agents)} unit="агентов" color="#10b981" longRange={longRange} />
        <TimeChart title="Задержка правки, мс" points={series(m.latency_by_time, (p) => Math.round(p.avg_latency_ms))} unit="мс" color="#ec4899" longRange={longRange} />
      </div>
      <AgentsTable agents={m.agents} live={live} />
    </div>
  );
}
