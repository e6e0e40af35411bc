import { vectorText } from "@/lib/session-token";
import type { TextSessionState } from "@/lib/types";
import { sessionCoverage, sessionToken } from "./cluster-model";

const COVERAGE_TONES = {
  ok: "text-emerald-700 dark:text-emerald-400",
  warn: "text-amber-700 dark:text-amber-400",
  unknown: "muted",
};

/** A node's watermark next to this browser's session vector, and whether the node covers the
 * session (then it answers this browser at once; otherwise it first catches up, or nginx asks
 * another node). */
export function SessionVectors({ watermark, session }: { watermark?: Record<string, number>; session: TextSessionState | null }) {
  const coverage = sessionCoverage(session, watermark);
  const token = sessionToken(session);
  return (
    <div className="mt-3 space-y-0.5 border-t border-slate-200 pt-2 text-xs tabular-nums dark:border-slate-800" data-testid="node-session" data-coverage={coverage.tone}>
      <p data-testid="node-watermark">узел видел: {watermark ? vectorText(watermark) : "—"}</p>
      <p data-testid="session-vector">ваш сеанс видел: {token ? vectorText(token.vector) : "—"}</p>
      <p className={COVERAGE_TONES[coverage.tone]}>{coverage.text}</p>
    </div>
  );
}
