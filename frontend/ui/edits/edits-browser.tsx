"use client";

import { useState } from "react";
import { getEdits } from "@/lib/api";
import { EDIT_STATUSES } from "@/lib/statuses";
import type { EditStatus } from "@/lib/types";
import { usePolling } from "@/lib/use-polling";
import { useAgentRoles } from "../agents/use-agent-roles";
import { Empty, ErrorNotice, Loading, PageHeader, StaleNotice } from "../states";
import { EditsTable } from "./edits-table";
import { Pagination } from "./pagination";

const PAGE_SIZES = [10, 20, 50, 100];
const REFRESH_MS = 5000;

/** Spec scenario 7: GET /api/edits?limit&offset as a table, filtered by status and agent.
 * The first page follows new edits; later pages stay put while you read them. */
export function EditsBrowser() {
  const [limit, setLimit] = useState(20);
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState<EditStatus | "">("");
  const [agentId, setAgentId] = useState("");
  const roles = useAgentRoles();
  const filter = { limit, offset, status, agentId: agentId.trim() };
  const { data, error, loading, refresh } = usePolling(
    (signal) => getEdits(filter, { signal }),
    offset === 0 ? REFRESH_MS : null,
    JSON.stringify(filter),
  );
  const refilter = (change: () => void) => {
    change();
    setOffset(0);
  };

  return (
    <div>
      <PageHeader title="История правок" subtitle="Все правки текущего документа, новые сверху. Отклонённые и перезаписанные правки отмечены." />
      <div className="mb-4 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="status-filter" className="label">
            Статус
          </label>
          <select id="status-filter" className="field h-10" value={status} onChange={(e) => refilter(() => setStatus(e.target.value as EditStatus | ""))}>
            <option value="">все</option>
            {Object.entries(EDIT_STATUSES).map(([key, { label }]) => (
              <option key={key} value={key}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="agent-filter" className="label">
            Агент
          </label>
          <input
            id="agent-filter"
            className="field h-10"
            list="known-agents"
            placeholder="например, agent-3"
            value={agentId}
            onChange={(e) => refilter(() => setAgentId(e.target.value))}
          />
          <datalist id="known-agents">
            {[...roles].map(([id, role]) => (
              <option key={id} value={id}>
                {role}
              </option>
            ))}
          </datalist>
        </div>
        <div>
          <label htmlFor="page-size" className="label">
            На странице
          </label>
          <select id="page-size" className="field h-10" value={limit} onChange={(e) => refilter(() => setLimit(Number(e.target.value)))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </div>
      {loading ? (
        <Loading label="Загружаем правки…" />
      ) : !data ? (
        <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />
      ) : (
        <div className="space-y-3">
          <StaleNotice error={error} />
          <Pagination offset={offset} limit={limit} total={data.total} onOffset={setOffset} />
          {data.edits.length === 0 ? (
            <Empty title={status || agentId ? "Нет правок с такими условиями" : "Правок пока нет"}>
              {status || agentId ? "Измените фильтр." : "Агенты ещё не прислали ни одной правки."}
            </Empty>
          ) : (
            <EditsTable edits={data.edits} />
          )}
        </div>
      )}
    </div>
  );
}
