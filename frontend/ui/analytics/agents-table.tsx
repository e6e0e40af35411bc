import { formatNumber } from "@/lib/format";
import type { AgentFigures, AgentInfo } from "@/lib/types";
import { agentStateLabel } from "../agents/use-agent-roles";

/** Per-agent figures of the period, busiest first, with each running agent's state now (an
 * agent with nothing to edit shows "нечего править"); roles the events lack come from `live`. */
export function AgentsTable({ agents, live }: { agents: AgentFigures[]; live: AgentInfo[] }) {
  const now = new Map(live.map((a) => [a.agent_id, a]));
  const rows = [
    ...agents,
    ...live
      .filter((a) => !agents.some((f) => f.agent_id === a.agent_id))
      .map((a) => ({ agent_id: a.agent_id, role: a.role, edits: 0, tokens: 0, rejected: 0 })),
  ];
  if (rows.length === 0) return null;
  const sorted = [...rows].sort((x, y) => y.edits - x.edits);
  return (
    <section className="card overflow-x-auto" aria-label="Агенты">
      <h2 className="mb-2 text-sm font-semibold">Агенты за период</h2>
      <table className="w-full text-left text-sm">
        <thead className="muted text-xs uppercase">
          <tr>
            <th className="py-1 pr-3">Агент</th>
            <th className="py-1 pr-3">Роль</th>
            <th className="py-1 pr-3">Сейчас</th>
            <th className="py-1 pr-3 text-right">Правок</th>
            <th className="py-1 pr-3 text-right">Отклонено</th>
            <th className="py-1 text-right">Токенов</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((a) => {
            const state = now.get(a.agent_id)?.state;
            return (
              <tr key={a.agent_id} className="border-t border-slate-200 dark:border-slate-800">
                <td className="py-1 pr-3">{a.agent_id}</td>
                <td className="py-1 pr-3">{a.role ?? now.get(a.agent_id)?.role ?? "—"}</td>
                <td className={`py-1 pr-3 ${state === "idle" ? "muted italic" : ""}`} data-state={state ?? ""}>
                  {agentStateLabel(state)}
                </td>
                <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(a.edits)}</td>
                <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(a.rejected)}</td>
                <td className="py-1 text-right tabular-nums">{formatNumber(a.tokens)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
