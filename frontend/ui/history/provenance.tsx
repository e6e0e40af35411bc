import type { ReactNode } from "react";
import { formatDateTime, formatNumber } from "@/lib/format";
import { nodeLabel } from "@/lib/nodes";
import type { VersionEntry } from "@/lib/types";
import { StatusBadge } from "../edits/status-badge";

const KINDS: Record<string, string> = {
  init: "создание документа",
  append: "дописано в конец",
  replace: "замена фрагмента",
  delete: "удаление фрагмента",
};

/** Where a version came from: the edit's agent, role, node, tokens and status. */
export function Provenance({ entry, role }: { entry: VersionEntry; role: string | undefined }) {
  const rows: [string, ReactNode][] = [
    ["Агент", entry.agent_id],
    ["Роль", role ?? "—"],
    ["Действие", KINDS[entry.kind] ?? entry.kind],
    ["Статус", <StatusBadge key="status" status={entry.status} />],
    ["Узел", nodeLabel(entry.node)],
    ["Токены", formatNumber(entry.tokens_used)],
    ["Время", formatDateTime(entry.timestamp)],
  ];
  return (
    <section className="card" aria-label="Происхождение правки" data-testid="provenance">
      <h2 className="mb-2 text-sm font-semibold">Правка версии {entry.version}</h2>
      <dl className="grid grid-cols-[6rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="muted">{label}</dt>
            <dd className="break-words">{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted mt-2 break-all font-mono text-[11px]">{entry.edit_id}</p>
    </section>
  );
}
