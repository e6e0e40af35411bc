import { formatNumber } from "@/lib/format";
import type { AgentFigures } from "@/lib/types";

/** Per-agent figures of the period, busiest first; roles the events lack come from `roles`. */
export function AgentsTable({ agents, roles }: { agents: AgentFigures[]; roles: Map<string, string> }) {
  if (agents.length === 0) return null;
  const sorted = [...agents].sort((x, y) => y.edits - x.edits);
  return (
    <section className="card overflow-x-auto" aria-label="Агенты">
      <h2 className="mb-2 text-sm font-semibold">Агенты за период</h2>
      <table className="w-full text-left text-sm">
        <thead className="muted text-xs uppercase">
          <tr>
            <th className="py-1 pr-3">Агент</th>
            <th className="py-1 pr-3">Роль</th>
            <th className="py-1 pr-3 text-right">Правок</th>
            <th className="py-1 pr-3 text-right">Отклонено</th>
            <th className="py-1 text-right">Токенов</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((a) => (
            <tr key={a.agent_id} className="border-t border-slate-200 dark:border-slate-800">
              <td className="py-1 pr-3">{a.agent_id}</td>
              <td className="py-1 pr-3">{a.role ?? roles.get(a.agent_id) ?? "—"}</td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(a.edits)}</td>
              <td className="py-1 pr-3 text-right tabular-nums">{formatNumber(a.rejected)}</td>
              <td className="py-1 text-right tabular-nums">{formatNumber(a.tokens)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
