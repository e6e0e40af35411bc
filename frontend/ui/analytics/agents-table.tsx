import { formatNumber } from "@/lib/format";
import type { AgentFigures, AgentInfo } from "@/lib/types";
import { agentStateLabel } from "../agents/use-agent-roles";

/** The agents worth a row: those the supervisor runs now, and those that did something in the
 * period (an edit, a refusal, tokens). Agents that merely have a token, never ran and are not
 * running are left out; roles the events lack come from `live`. Busiest first. */
export function agentRows(agents: AgentFigures[], live: AgentInfo[]): AgentFigures[] {
  const running = live.filter((a) => a.state !== "stopped" || (a.accepted ?? 0) + (a.rejected ?? 0) > 0);
  const active = agents.filter((a) => a.edits > 0 || a.rejected > 0 || a.tokens > 0 || running.some((r) => r.agent_id === a.agent_id));
  const rows = [
    ...active.map((a) => ({ ...a, role: a.role ?? live.find((r) => r.agent_id === a.agent_id)?.role ?? null })),
    ...running
      .filter((a) => !active.some((f) => f.agent_id === a.agent_id))
      .map((a) => ({ agent_id: a.agent_id, role: a.role, edits: 0, tokens: 0, rejected: 0 })),
  ];
  const number = (id: string) => Number(id.replace(/\D/g, "")) || 0;
  return rows.sort((x, y) => y.edits - x.edits || number(x.agent_id) - number(y.agent_id));
}

/** Per-agent figures of the period with each running agent's state now (an agent with nothing
 * to edit shows "нечего править"). */
export function AgentsTable({ agents, live }: { agents: AgentFigures[]; live: AgentInfo[] }) {
  const now = new Map(live.map((a) => [a.agent_id, a]));
  const sorted = agentRows(agents, live);
  if (sorted.length === 0) return null;
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
