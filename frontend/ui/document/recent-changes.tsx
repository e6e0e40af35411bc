import type { Segment } from "@/lib/authorship";
import { agentColor } from "@/lib/authorship";
import { formatAgo } from "@/lib/format";

const SHOWN = 6;

/** The newest edits still marked in the text, one line each: who, which version, how long ago,
 * what they wrote. Exact: grouped by the edit that inserted the characters. */
export function RecentChanges({
  segments,
  fresh,
  seen,
  label,
  now,
}: {
  segments: Segment[];
  fresh: Map<string, number>;
  seen: Map<string, number>;
  label: (agentId: string) => string;
  now: number;
}) {
  const edits = new Map<string, { agent: string; version: number; text: string }>();
  for (const { run, text } of segments) {
    if (!run || !fresh.has(run.edit_id)) continue;
    const entry = edits.get(run.edit_id) ?? { agent: run.agent_id, version: run.version, text: "" };
    entry.text += (entry.text ? " … " : "") + text;
    edits.set(run.edit_id, entry);
  }
  const recent = [...edits.entries()]
    .filter(([, e]) => e.text.trim())
    .sort(([, x], [, y]) => y.version - x.version)
    .slice(0, SHOWN);
  const show = (edit: string) =>
    document.querySelector<HTMLElement>(`[data-testid="document-text"] [data-edit="${edit}"]`)?.scrollIntoView({ behavior: "smooth", block: "center" });
  return (
    <div className="card">
      <h2 className="mb-2 text-sm font-semibold">Последние правки</h2>
      {recent.length === 0 ? (
        <p className="muted">Пока без изменений.</p>
      ) : (
        <ul className="space-y-2 text-sm" data-testid="recent-changes">
          {recent.map(([edit, entry]) => (
            <li key={edit} className="border-l-4 pl-2" style={{ borderColor: agentColor(entry.agent).solid }} data-edit={edit}>
              <button type="button" className="w-full text-left" onClick={() => show(edit)}>
                <div className="muted text-xs">
                  {label(entry.agent)} · версия {entry.version} · {formatAgo(seen.get(edit) ?? now, now)}
                </div>
                <div className="line-clamp-2 font-serif">{entry.text}</div>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
