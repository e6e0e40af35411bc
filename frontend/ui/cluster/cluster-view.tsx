"use client";

import { useState } from "react";
import { type NodeAction, actOnNode } from "@/lib/api";
import type { NodeName } from "@/lib/types";
import { useNow, usePolling } from "@/lib/use-polling";
import { describeError, ErrorNotice, Loading, PageHeader } from "../states";
import { type ClusterView as Cluster, loadCluster } from "./load-cluster";
import { NodeCard, type NodeControl } from "./node-card";

const POLL_MS = 2000;

/** The three nodes side by side; in local mode, buttons to stop and start each one, so a
 * person can watch the balancer fail over and the node catch up. */
export function ClusterView() {
  const { data, error, loading, refresh } = usePolling(loadCluster, POLL_MS);
  const now = useNow();
  const [busy, setBusy] = useState<Partial<Record<NodeName, NodeAction>>>({});
  const [failures, setFailures] = useState<Partial<Record<NodeName, string>>>({});

  const act = async (name: NodeName, action: NodeAction) => {
    setBusy((b) => ({ ...b, [name]: action }));
    setFailures((f) => ({ ...f, [name]: undefined }));
    try {
      await actOnNode(name, action);
    } catch (failure) {
      const { title, detail } = describeError(failure as Error);
      setFailures((f) => ({ ...f, [name]: `${title}: ${detail}` }));
    } finally {
      setBusy((b) => ({ ...b, [name]: undefined }));
      refresh();
    }
  };

  if (loading) return <Loading label="Опрашиваем узлы…" />;
  if (!data) return <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />;

  const controlOf = (name: NodeName): NodeControl | undefined => {
    const process = data.control?.nodes.find((n) => n.name === name);
    if (!process) return undefined;
    return {
      process: process.state,
      pid: process.pid,
      busy: busy[name],
      error: failures[name],
      onAction: (action) => void act(name, action),
    };
  };

  return (
    <div>
      <PageHeader
        title="Кластер"
        subtitle="Три узла Text Service; каждый опрашивается напрямую раз в 2 с. Балансировщик уводит запросы с упавшего узла, вернувшийся узел догоняет остальных."
      />
      <Convergence cluster={data} />
      {data.controlError && (
        <div className="mb-3">
          <ErrorNotice error={data.controlError} compact />
        </div>
      )}
      <div className="grid gap-4 md:grid-cols-3">
        {data.nodes.map((node) => (
          <NodeCard key={node.name} node={node} now={now} control={controlOf(node.name)} />
        ))}
      </div>
      {!data.control && !data.controlError && (
        <p className="muted mt-4">Управление узлами доступно только при локальном запуске (./chorus up).</p>
      )}
    </div>
  );
}

/** Do the answering nodes show the same version? */
function Convergence({ cluster }: { cluster: Cluster }) {
  const answering = cluster.nodes.filter((n) => n.health.httpStatus === 200 && n.state);
  const versions = new Set(answering.map((n) => n.state!.version));
  const summary = cluster.nodes.map((n) => `${n.name}: ${n.state?.version ?? "—"}`).join(" · ");
  const agreed = answering.length > 0 && versions.size === 1;
  return (
    <p className={`mb-4 text-sm ${agreed ? "text-emerald-700 dark:text-emerald-400" : "text-amber-700 dark:text-amber-400"}`} data-testid="convergence">
      {answering.length === 0
        ? "Ни один узел не отвечает."
        : agreed
          ? `Работающие узлы согласованы: версия ${[...versions][0]} (${answering.length} из 3).`
          : `Узлы ещё расходятся (${summary}) — репликация догоняет.`}
    </p>
  );
}
