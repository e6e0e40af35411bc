import { type Piece, agentColor } from "@/lib/authorship";
import { formatTime } from "@/lib/format";

export interface AuthoredPiecesProps {
  pieces: Piece[];
  /** edit_id → 0..1: how strongly a recent edit's text is marked (fades with age). */
  fresh: Map<string, number>;
  /** 0..1 opacity of a ghost (deleted text), by when it went; 1 where ghosts do not fade. */
  ghostOpacity: (since: number) => number;
  /** "agent-3 (корректор стиля)". */
  label: (agentId: string) => string;
  className?: string;
}

/** A text coloured by author: each run a tint of its agent's colour (hover: edit, agent,
 * version), recent edits in a stronger tint that fades, underlined; deleted text struck through. */
export function AuthoredText({ pieces, fresh, ghostOpacity, label, className = "" }: AuthoredPiecesProps) {
  return (
    <div className={`whitespace-pre-wrap break-words font-serif text-[1.05rem] leading-8 ${className}`} data-testid="authored-text">
      {pieces.map((piece, index) => {
        if (piece.kind === "ghost") {
          const opacity = ghostOpacity(piece.ghost.since);
          if (opacity <= 0) return null;
          return (
            <del
              key={`g${index}`}
              data-ghost
              data-change="deleted"
              title="удалено"
              className="bg-rose-500/10 text-rose-700 decoration-rose-500 transition-opacity duration-1000 dark:text-rose-300"
              style={{ opacity }}
            >
              {piece.ghost.text}
            </del>
          );
        }
        const { segment } = piece;
        const run = segment.run;
        const color = agentColor(run?.agent_id ?? "");
        const strength = run ? (fresh.get(run.edit_id) ?? 0) : 0;
        const newline = strength > 0 && segment.text.trim() === "" && segment.text.includes("\n");
        return (
          <span
            key={`t${segment.start}`}
            data-run
            data-start={segment.start}
            data-end={segment.end}
            data-agent={run?.agent_id ?? ""}
            data-edit={run?.edit_id ?? ""}
            data-version={run?.version ?? ""}
            data-color={color.solid}
            data-change={strength > 0 ? "inserted" : undefined}
            title={run ? `${label(run.agent_id)} · версия ${run.version} · правка ${run.edit_id.slice(0, 8)} · ${formatTime(run.timestamp)}` : "автор неизвестен"}
            className="rounded-sm transition-colors duration-1000"
            style={{
              backgroundColor: strength > 0 ? tint(color.solid, 0.22 + 0.38 * strength) : color.background,
              ...(strength > 0
                ? {
                    textDecorationLine: "underline",
                    textDecorationThickness: "2px",
                    textUnderlineOffset: "4px",
                    textDecorationColor: color.solid,
                  }
                : {}),
            }}
          >
            {newline && (
              <span aria-hidden className="select-none text-xs" style={{ color: color.solid }}>
                ¶
              </span>
            )}
            {segment.text}
          </span>
        );
      })}
    </div>
  );
}

/** `solid` (an hsl() colour) at opacity `alpha`. */
function tint(solid: string, alpha: number): string {
  return solid.startsWith("hsl(") ? solid.replace("hsl(", "hsla(").replace(")", `, ${alpha.toFixed(2)})`) : solid.replace("rgb(", "rgba(").replace(")", `, ${alpha.toFixed(2)})`);
}

/** The agents whose text is on screen, each with its colour, role and share of the text. */
export function AuthorLegend({ authors, total, label }: { authors: { agentId: string; chars: number }[]; total: number; label: (agentId: string) => string }) {
  return (
    <ul className="space-y-1 text-sm" data-testid="author-legend">
      {authors.map(({ agentId, chars }) => (
        <li key={agentId || "unknown"} className="flex items-center gap-2" data-agent={agentId}>
          <span className="h-3 w-3 shrink-0 rounded-sm" style={{ backgroundColor: agentColor(agentId).solid }} aria-hidden />
          <span className="min-w-0 flex-1 break-words">{agentId ? label(agentId) : "автор неизвестен"}</span>
          <span className="muted tabular-nums">{total > 0 ? `${Math.max(1, Math.round((chars / total) * 100))} %` : ""}</span>
        </li>
      ))}
    </ul>
  );
}
