import { formatTime } from "@/lib/format";
import type { EventSeverity, TimelineEvent } from "@/lib/types";

export const SEVERITY_COLORS: Record<EventSeverity, string> = {
  error: "#e11d48",
  warning: "#f59e0b",
  ok: "#10b981",
  info: "#6366f1",
};

const SHOWN = 30;

/** The cluster's events, newest first: node down / back / caught up, links, budget, document. */
export function EventTimeline({ events }: { events: TimelineEvent[] }) {
  if (events.length === 0) return <p className="muted">За этот час событий не было: узлы работали, связи не рвались.</p>;
  return (
    <ol className="space-y-2" data-testid="event-timeline">
      {events.slice(0, SHOWN).map((event, index) => (
        <li key={`${event.timestamp}-${event.kind}-${index}`} className="flex gap-3 text-sm" data-kind={event.kind} data-testid="timeline-event">
          <span className="mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full" style={{ backgroundColor: SEVERITY_COLORS[event.severity] ?? SEVERITY_COLORS.info }} aria-hidden />
          <div className="min-w-0">
            <div>
              <time className="muted mr-2 tabular-nums" dateTime={event.timestamp}>
                {formatTime(event.timestamp)}
              </time>
              <strong className="font-medium">{event.title}</strong>
            </div>
            {event.detail && <p className="muted break-words text-xs">{event.detail}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
