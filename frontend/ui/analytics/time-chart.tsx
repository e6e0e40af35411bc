"use client";

import { Area, AreaChart, Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatNumber } from "@/lib/format";

export interface TimePoint {
  timestamp: string;
  value: number;
}

const clock = new Intl.DateTimeFormat("ru-RU", { hour: "2-digit", minute: "2-digit" });
const day = new Intl.DateTimeFormat("ru-RU", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });

/** One metric over time: a titled card with an area or bar chart (Recharts). */
export function TimeChart({
  title,
  points,
  unit,
  color,
  kind = "area",
  longRange = false,
}: {
  title: string;
  points: TimePoint[];
  unit: string;
  color: string;
  kind?: "area" | "bar";
  longRange?: boolean;
}) {
  const label = (value: string) => (longRange ? day : clock).format(new Date(value));
  const hasData = points.some((p) => p.value > 0);
  const common = { data: points, margin: { top: 8, right: 8, bottom: 0, left: 0 } };
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} />
      <XAxis dataKey="timestamp" tickFormatter={label} minTickGap={28} tick={{ fontSize: 11, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
      <YAxis width={48} allowDecimals={false} tick={{ fontSize: 11, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} tickFormatter={(v: number) => formatNumber(v)} />
      <Tooltip
        labelFormatter={(value) => label(String(value))}
        formatter={(value) => [`${formatNumber(Number(value))} ${unit}`, title]}
        contentStyle={{ background: "rgb(15 23 42 / 0.92)", border: "none", borderRadius: 8, color: "#f8fafc", fontSize: 12 }}
        labelStyle={{ color: "#cbd5e1" }}
      />
    </>
  );
  return (
    <section className="card" aria-label={title} data-testid="time-chart">
      <h2 className="mb-2 text-sm font-semibold">{title}</h2>
      {points.length === 0 ? (
        <p className="muted flex h-48 items-center justify-center">Нет данных за период</p>
      ) : (
        <div className="h-48 text-slate-500 dark:text-slate-400" data-has-data={hasData}>
          <ResponsiveContainer width="100%" height="100%">
            {kind === "bar" ? (
              <BarChart {...common}>
                {axes}
                <Bar dataKey="value" fill={color} isAnimationActive={false} radius={[3, 3, 0, 0]} />
              </BarChart>
            ) : (
              <AreaChart {...common}>
                {axes}
                <Area type="monotone" dataKey="value" stroke={color} fill={color} fillOpacity={0.2} strokeWidth={2} isAnimationActive={false} />
              </AreaChart>
            )}
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
