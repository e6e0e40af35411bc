/** Timeline events placed on a chart's time buckets: each event belongs to the bucket that
 * holds its moment; several events in one bucket share one mark. Pure, for the charts. */

import type { EventSeverity, TimelineEvent } from "@/lib/types";

export interface EventMark {
  /** The bucket's timestamp (the chart's category the line stands on). */
  at: string;
  /** Titles of the events in that bucket, oldest first. */
  titles: string[];
  /** The gravest severity among them. */
  severity: EventSeverity;
}

const GRAVITY: EventSeverity[] = ["info", "ok", "warning", "error"];

export function marksFor(events: TimelineEvent[], buckets: string[], bucketSeconds: number): EventMark[] {
  if (buckets.length === 0) return [];
  const starts = buckets.map((b) => new Date(b).getTime());
  const end = starts[starts.length - 1] + bucketSeconds * 1000;
  const marks = new Map<string, EventMark>();
  const ordered = [...events].sort((x, y) => new Date(x.timestamp).getTime() - new Date(y.timestamp).getTime());
  for (const event of ordered) {
    const at = new Date(event.timestamp).getTime();
    if (Number.isNaN(at) || at < starts[0] || at >= end) continue;
    let index = starts.length - 1;
    while (index > 0 && starts[index] > at) index -= 1;
    const bucket = buckets[index];
    const mark = marks.get(bucket) ?? { at: bucket, titles: [], severity: "info" as EventSeverity };
    mark.titles.push(event.title);
    if (GRAVITY.indexOf(event.severity) > GRAVITY.indexOf(mark.severity)) mark.severity = event.severity;
    marks.set(bucket, mark);
  }
  return [...marks.values()];
}
