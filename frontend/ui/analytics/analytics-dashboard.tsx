"use client";

import { useState } from "react";
import { getMetrics, getTimeline } from "@/lib/api";
import { formatMs, formatNumber } from "@/lib/format";
import type { Metrics, Percentiles, Period, TimelineEvent } from "@/lib/types";
import { usePolling } from "@/lib/use-polling";
import { ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { AgentsTable } from "./agents-table";
import { useAgentListing } from "../agents/use-agent-roles";
import { EventTimeline } from "../timeline/event-timeline";
import { BudgetGauge } from "./budget-gauge";
import { marksFor } from "./event-marks";
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
  const timeline = usePolling((signal) => getTimeline(period, 200, { signal }), POLL_MS, period);

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
        <MetricsView metrics={data} error={error} events={timeline.data?.events ?? []} />
      )}
    </div>
  );
}

/** "p50 12 мс · p95 40 мс", or null when nothing was measured. */
export function percentiles(value: Percentiles | undefined | null): string | null {
  if (!value || (value.p50 === null && value.p95 === null)) return null;
  return `p50 ${formatMs(value.p50)} · p95 ${formatMs(value.p95)}`;
}

export function MetricsView({ metrics: m, error, events = [] }: { metrics: Metrics; error?: Error; events?: TimelineEvent[] }) {
  const live = useAgentListing(5000);
  const longRange = m.bucket_seconds >= 3600 || m.period !== "1h";
  const perBucket = m.bucket_seconds === 60 ? "в минуту" : `за ${Math.round(m.bucket_seconds / 60)} мин`;
  const marks = marksFor(events, m.edits_by_time.map((p) => p.timestamp), m.bucket_seconds);
  const latency = percentiles(m.edit_latency_ms);
  const cycle = percentiles(m.cycle_ms);
  const lag = m.replication.lag_ms;
  const worst = lag.worst_link;
  // One token figure: what the nodes count against the budget (the gauge shows the same).
  const tokens = m.budget.used ?? m.total_tokens;
  const requestSeries = m.latency_by_time.some((p) => typeof p.request_ms === "number");
  const chartProps = { longRange, marks };
  return (
    <div className="space-y-5">
      <StaleNotice error={error} />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <StatCard label="Правок" value={formatNumber(m.total_edits)} hint={`${m.edits_per_minute.toFixed(1).replace(".", ",")} в минуту`} />
        <StatCard label="Токенов израсходовано" value={formatNumber(tokens)} hint={m.budget.limit !== null ? `из ${formatNumber(m.budget.limit)}` : undefined} />
        <StatCard label="Активных агентов" value={formatNumber(m.active_agents)} hint="правили за период" />
        <StatCard
          label="Задержка правки"
          value={<span data-testid="edit-latency">{latency ?? "—"}</span>}
          hint={`от запроса до записи на узле${cycle ? ` · цикл агента ${cycle}` : ""}`}
        />
        <StatCard
          label="Отклонено / перезаписано"
          value={`${formatNumber(m.edits_by_status.rejected)} / ${formatNumber(m.edits_by_status.superseded)}`}
          hint={`конфликтов: ${formatNumber(m.conflicts)}`}
        />
        <StatCard
          label="Репликация"
          value={<span data-testid="replication-lag">{`p50 ${formatMs(lag.p50)} · p95 ${formatMs(lag.p95)}`}</span>}
          hint={`${worst ? `медленнее всех ${worst.source} → ${worst.target} (p95 ${formatMs(worst.p95)}) · ` : ""}сбоев ${formatNumber(m.replication.failed)}`}
        />
      </div>
      <div className="grid items-start gap-4 lg:grid-cols-[1fr_1fr_18rem]">
        <TimeChart title={`Правки ${perBucket}`} points={series(m.edits_by_time, (p) => p.edits)} unit="правок" color="#6366f1" kind="bar" {...chartProps} />
        <TimeChart title="Расход токенов" points={series(m.token_usage_by_time, (p) => p.tokens)} unit="токенов" color="#f59e0b" {...chartProps} />
        <BudgetGauge budget={m.budget} />
        <TimeChart title="Активные агенты" points={series(m.active_agents_by_time, (p) => p.agents)} unit="агентов" color="#10b981" {...chartProps} />
        <TimeChart
          title={requestSeries ? "Задержка правки на узле, мс" : "Задержка записи, мс"}
          points={series(m.latency_by_time, (p) => Math.round((requestSeries ? p.request_ms : p.avg_latency_ms) ?? 0))}
          unit="мс"
          color="#ec4899"
          {...chartProps}
        />
        <section className="card lg:col-span-1" aria-label="События на графиках">
          <h2 className="mb-2 text-sm font-semibold">События на графиках</h2>
          <EventTimeline events={events.slice(0, 8)} />
        </section>
      </div>
      <AgentsTable agents={m.agents} live={live} />
    </div>
  );
}
