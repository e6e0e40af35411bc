import { formatDateTime, formatNumber } from "@/lib/format";
import type { Edit } from "@/lib/types";
import { StatusBadge } from "./status-badge";

const ROW_TINT: Partial<Record<Edit["status"], string>> = {
  rejected: "bg-rose-50/70 dark:bg-rose-950/30",
  superseded: "bg-amber-50/70 dark:bg-amber-950/20",
};

function positionLabel(position: string): string {
  return position === "end" ? "в конец" : position.replace(":", "–");
}

/** One page of edits; rejected and superseded rows are tinted and their text struck out. */
export function EditsTable({ edits }: { edits: Edit[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800">
      <table className="w-full min-w-[52rem] border-collapse text-left text-sm">
        <thead className="bg-slate-100 text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            <th className="px-3 py-2">Время</th>
            <th className="px-3 py-2">Агент</th>
            <th className="px-3 py-2">Статус</th>
            <th className="px-3 py-2">Версия</th>
            <th className="px-3 py-2">Узел</th>
            <th className="px-3 py-2">Позиция</th>
            <th className="px-3 py-2">Текст правки</th>
            <th className="px-3 py-2 text-right">Токены</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 bg-white dark:divide-slate-800 dark:bg-slate-900">
          {edits.map((edit) => {
            const struck = edit.status === "rejected" || edit.status === "superseded";
            return (
              <tr key={edit.edit_id} data-status={edit.status} className={ROW_TINT[edit.status] ?? ""}>
                <td className="whitespace-nowrap px-3 py-2 tabular-nums">{formatDateTime(edit.created_at)}</td>
                <td className="whitespace-nowrap px-3 py-2">{edit.agent_id}</td>
                <td className="px-3 py-2">
                  <StatusBadge status={edit.status} reason={edit.reason} />
                  {edit.reason && <div className="muted mt-1 max-w-[14rem] truncate text-xs" title={edit.reason}>{edit.reason}</div>}
                </td>
                <td className="px-3 py-2 tabular-nums">{edit.version ?? "—"}</td>
                <td className="px-3 py-2">{edit.node}</td>
                <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{positionLabel(edit.position)}</td>
                <td className="max-w-[28rem] px-3 py-2">
                  <span className={`line-clamp-2 font-serif ${struck ? "line-through decoration-2 opacity-70" : ""}`} title={edit.proposed_text}>
                    {edit.proposed_text || <em className="muted">(удаление)</em>}
                  </span>
                </td>
                <td className="px-3 py-2 text-right tabular-nums">{formatNumber(edit.tokens_used)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
