import { type Span, freshness } from "@/lib/diff";
import { formatAgo } from "@/lib/format";
import { agentLabel } from "../agents/use-agent-roles";

const SHOWN = 6;

/** The newest highlighted fragments as a list: who, how long ago, what. */
export function RecentChanges({ spans, roles, now }: { spans: Span[]; roles: Map<string, string>; now: number }) {
  const recent = spans
    .filter((span) => span.mark && freshness(span.mark, now) > 0 && span.text.trim())
    .sort((x, y) => y.mark!.at - x.mark!.at)
    .slice(0, SHOWN);
  return (
    <div className="card">
      <h2 className="mb-2 text-sm font-semibold">Последние изменения</h2>
      {recent.length === 0 ? (
        <p className="muted">Пока без изменений.</p>
      ) : (
        <ul className="space-y-2 text-sm">
          {recent.map((span, index) => (
            <li key={index} className="border-l-2 border-amber-400 pl-2">
              <div className="muted text-xs">
                {span.mark!.authors.map((a) => agentLabel(a, roles)).join(", ") || "автор неизвестен"} · v{span.mark!.version} ·{" "}
                {formatAgo(span.mark!.at, now)}
              </div>
              <div className="line-clamp-2 font-serif">{span.text}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
