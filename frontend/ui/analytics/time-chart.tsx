"use client";

import { Area, AreaChart, Bar, BarChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCompact, formatNumber } from "@/lib/format";
import { SEVERITY_COLORS } from "../timeline/event-timeline";
import type { EventMark } from "./event-marks";

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
  marks = [],
}: {
  title: string;
  points: TimePoint[];
  unit: string;
  color: string;
  kind?: "area" | "bar";
  longRange?: boolean;
  /** Cluster events on this chart's buckets: a dashed vertical line each, titled on hover. */
  marks?: EventMark[];
}) {
  const label = (value: string) => (longRange ? day : clock).format(new Date(value));
  const hasData = points.some((p) => p.value > 0);
  const common = { data: points, margin: { top: 8, right: 8, bottom: 0, left: 0 } };
  const axes = (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.12} />
      <XAxis dataKey="timestamp" tickFormatter={label} minTickGap={28} tick={{ fontSize: 11, fill: "currentColor" }} stroke="currentColor" strokeOpacity={0.3} />
      <YAxis width={60} allowDecimals={false} tick={<YTick />} stroke="currentColor" strokeOpacity={0.3} />
      <Tooltip
        labelFormatter={(value) => label(String(value))}
        formatter={(value) => [`${formatNumber(Number(value))} ${unit}`, title]}
        contentStyle={{ background: "rgb(15 23 42 / 0.92)", border: "none", borderRadius: 8, color: "#f8fafc", fontSize: 12 }}
        labelStyle={{ color: "#cbd5e1" }}
      />
      {marks.map((mark) => (
        <ReferenceLine
          key={mark.at}
          x={mark.at}
          stroke={SEVERITY_COLORS[mark.severity]}
          strokeDasharray="4 3"
          strokeWidth={1.5}
          ifOverflow="extendDomain"
          label={(props: { viewBox?: { x?: number; y?: number } }) => (
            <MarkLabel x={props.viewBox?.x ?? 0} y={props.viewBox?.y ?? 0} mark={mark} when={label(mark.at)} />
          )}
        />
      ))}
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

/** The flag on top of an event line: a dot whose hover title lists the events. */
function MarkLabel({ x, y, mark, when }: { x: number; y: number; mark: EventMark; when: string }) {
  const color = SEVERITY_COLORS[mark.severity];
  return (
    <g data-testid="event-mark" data-title={mark.titles.join("; ")} style={{ cursor: "help" }}>
      <title>{`${when}: ${mark.titles.join("; ")}`}</title>
      <circle cx={x} cy={y + 4} r={5} fill={color} stroke="white" strokeWidth={1.5} />
      <rect x={x - 5} y={y - 2} width={10} height={180} fill="transparent" />
    </g>
  );
}

/** A y-axis label on one line («600 тыс.»): Recharts' own tick wraps a label wider than the
 * axis onto two lines. */
function YTick({ x = 0, y = 0, payload }: { x?: number; y?: number; payload?: { value: number } }) {
  return (
    <text x={x} y={y} dx={-4} dy={4} textAnchor="end" fontSize={11} fill="currentColor" className="recharts-cartesian-axis-tick-value">
      {formatCompact(payload?.value ?? 0)}
    </text>
  );
}
