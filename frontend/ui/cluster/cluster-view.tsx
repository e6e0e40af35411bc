"use client";

import { useRef, useState } from "react";
import { type NodeAction, actOnNode, forgetTextSession, getMetrics, getTimeline } from "@/lib/api";
import { vectorText } from "@/lib/session-token";
import type { NodeName, ProcessState } from "@/lib/types";
import { useNow, usePolling } from "@/lib/use-polling";
import { useOperator } from "../operator/operator-context";
import { describeError, ErrorNotice, Loading, PageHeader } from "../states";
import { EventTimeline } from "../timeline/event-timeline";
import { type Memory, clusterHead, clusterSummary, coveringNodes, remember, sessionToken } from "./cluster-model";
import { type ClusterView as Cluster, loadCluster } from "./load-cluster";
import { NodeCard, type NodeControl } from "./node-card";

/** Fast enough that a killed node shows within 3 s: one poll plus the 1.5 s node timeout. */
const POLL_MS = 1000;
const TIMELINE_POLL_MS = 3000;

/** The three nodes side by side, the cluster's events below; in local mode, buttons to stop,
 * kill, freeze and start each one, so a person can watch the balancer fail over and the node
 * catch up. */
export function ClusterView() {
  const memory = useRef<Memory>({});
  const fallback = useRef<Record<string, number>>({});
  // The analytics' last version of each node: what a node that is down when the page opens showed.
  usePolling(async (signal) => {
    const metrics = await getMetrics("1h", { signal });
    for (const node of metrics.nodes ?? []) if (node.version !== null) fallback.current[node.node] = node.version;
    return null;
  }, null);
  const { data, error, loading, refresh } = usePolling(async (signal) => {
    const cluster = await loadCluster(signal);
    memory.current = remember(memory.current, cluster.nodes, Date.now(), fallback.current);
    return { ...cluster, memory: memory.current };
  }, POLL_MS);
  const timeline = usePolling((signal) => getTimeline("1h", 50, { signal }), TIMELINE_POLL_MS);
  const operator = useOperator();
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
      timeline.refresh();
    }
  };

  if (loading) return <Loading label="Опрашиваем узлы…" />;
  if (!data) return <ErrorNotice error={error ?? new Error("нет ответа")} onRetry={refresh} />;

  const processes: Partial<Record<string, ProcessState>> = Object.fromEntries((data.control?.nodes ?? []).map((n) => [n.name, n.state]));
  const controlOf = (name: NodeName): NodeControl | undefined => {
    const process = data.control?.nodes.find((n) => n.name === name);
    if (!process) return undefined;
    return {
      process: process.state,
      pid: process.pid,
      busy: busy[name],
      error: failures[name],
      allowed: operator.signedIn,
      onAction: (action) => void act(name, action),
    };
  };
  const head = clusterHead(data.nodes);

  return (
    <div>
      <PageHeader
        title="Кластер"
        subtitle="Три узла Text Service; каждый опрашивается напрямую раз в секунду. Балансировщик уводит запросы с упавшего узла, вернувшийся узел догоняет остальных."
      />
      <Summary cluster={data} memory={data.memory} processes={processes} />
      <SessionBar cluster={data} onForget={() => void forgetTextSession().finally(refresh)} />
      {data.controlError && (
        <div className="mb-3">
          <ErrorNotice error={data.controlError} compact />
        </div>
      )}
      <div className="grid gap-4 md:grid-cols-3">
        {data.nodes.map((node) => (
          <NodeCard
            key={node.name}
            node={node}
            now={now}
            head={head}
            remembered={data.memory[node.name]}
            control={controlOf(node.name)}
            session={data.session}
          />
        ))}
      </div>
      {!data.control && !data.controlError && (
        <p className="muted mt-4">Управление узлами доступно только при локальном запуске (./chorus up).</p>
      )}
      {data.control && !operator.signedIn && (
        <p className="muted mt-4" data-testid="read-only">
          Останавливать и запускать узлы может только оператор: войдите как оператор.
        </p>
      )}
      <section className="card mt-6" aria-label="События кластера">
        <h2 className="mb-3 text-sm font-semibold">События кластера за час</h2>
        {timeline.data ? (
          <EventTimeline events={timeline.data.events} />
        ) : timeline.error ? (
          <ErrorNotice error={timeline.error} compact onRetry={timeline.refresh} />
        ) : (
          <p className="muted">Загружаем события…</p>
        )}
      </section>
    </div>
  );
}

const SUMMARY_TONES = {
  ok: "border-emerald-300 bg-emerald-50 text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-300",
  warn: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200",
  down: "border-rose-300 bg-rose-50 text-rose-800 dark:border-rose-800 dark:bg-rose-950/40 dark:text-rose-200",
};

/** One line: what is wrong with the cluster, or that the nodes agree. */
function Summary({ cluster, memory, processes }: { cluster: Cluster; memory: Memory; processes: Partial<Record<string, ProcessState>> }) {
  const { tone, text } = clusterSummary(cluster.nodes, memory, processes);
  return (
    <p className={`mb-4 rounded-lg border px-3 py-2 text-sm font-medium ${SUMMARY_TONES[tone]}`} data-testid="convergence" data-tone={tone} role="status">
      {text}
    </p>
  );
}

/** This browser's session: what it has seen, which nodes cover it, and a way to start anew
 * (after the cluster's databases were wiped no node covers an old session). */
function SessionBar({ cluster, onForget }: { cluster: Cluster; onForget: () => void }) {
  const token = sessionToken(cluster.session);
  const covering = coveringNodes(cluster.nodes, cluster.session);
  return (
    <div className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="session-bar">
      {token ? (
        <>
          <span className="tabular-nums">Ваш сеанс видел: {vectorText(token.vector)}</span>
          <span className="muted">
            {covering && covering.length > 0 ? `его покрывают узлы: ${covering.join(", ")}` : "ни один работающий узел его пока не покрывает"}
          </span>
          <button type="button" className="ml-auto text-sm underline" onClick={onForget}>
            Начать новый сеанс
          </button>
        </>
      ) : (
        <span className="muted">
          {cluster.session ? "Ваш сеанс ещё ничего не читал: откройте «Документ»." : "Сеанс панели неизвестен."} Панель помнит, что вы видели, и читает только у узлов, которые это уже получили.
        </span>
      )}
    </div>
  );
}
