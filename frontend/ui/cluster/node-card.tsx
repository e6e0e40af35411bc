import type { NodeAction } from "@/lib/api";
import { formatAgo, formatMs, formatNumber } from "@/lib/format";
import type { ProcessState } from "@/lib/types";
import type { NodeView } from "./load-cluster";
import { type Tone, lastReplication, nodeStatus } from "./node-status";

const TONES: Record<Tone, { ring: string; dot: string; pill: string }> = {
  ok: {
    ring: "border-emerald-300 dark:border-emerald-700",
    dot: "bg-emerald-500",
    pill: "bg-emerald-100 text-emerald-800 dark:bg-emerald-500/15 dark:text-emerald-300",
  },
  warn: {
    ring: "border-amber-300 dark:border-amber-700",
    dot: "bg-amber-500",
    pill: "bg-amber-100 text-amber-900 dark:bg-amber-500/15 dark:text-amber-300",
  },
  down: {
    ring: "border-rose-400 dark:border-rose-700",
    dot: "bg-rose-500",
    pill: "bg-rose-100 text-rose-800 dark:bg-rose-500/15 dark:text-rose-300",
  },
};

export interface NodeControl {
  process: ProcessState;
  pid: number | null;
  /** The action under way, if any. */
  busy?: NodeAction;
  error?: string;
  onAction: (action: NodeAction) => void;
}

const BUTTONS: Record<NodeAction, { label: string; busy: string; style: string }> = {
  start: { label: "Запустить", busy: "Запускаем…", style: "btn-primary" },
  stop: { label: "Остановить", busy: "Останавливаем…", style: "btn-danger" },
  kill: { label: "Убить (SIGKILL)", busy: "Убиваем…", style: "btn-secondary" },
  freeze: { label: "Заморозить", busy: "Замораживаем…", style: "btn-secondary" },
  thaw: { label: "Разморозить", busy: "Размораживаем…", style: "btn-primary" },
};

/** What a person can do to a node in each process state. */
const ACTIONS: Record<ProcessState, NodeAction[]> = {
  running: ["stop", "freeze", "kill"],
  frozen: ["thaw", "stop"],
  stopped: ["start"],
};

/** One Text Service node: where it stands, how far it got, how replication is doing. */
export function NodeCard({ node, now, control }: { node: NodeView; now: number; control?: NodeControl }) {
  const { tone, label } = nodeStatus(node.health, control?.process);
  const colors = TONES[tone];
  const state = node.state;
  const answering = tone !== "down";
  const lastAck = lastReplication(state?.peers);
  const outbox = Object.values(state?.outbox ?? {}).reduce((sum, n) => sum + n, 0);
  return (
    <section
      className={`card border-2 ${colors.ring} transition-colors`}
      aria-label={`Узел ${node.location}`}
      data-testid={`node-${node.name}`}
      data-health={tone}
    >
      <header className="mb-3 flex items-start justify-between gap-2">
        <div>
          <h2 className="text-lg font-semibold">{node.location}</h2>
          <p className="muted">узел {node.name}</p>
        </div>
        <span className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-medium ${colors.pill}`} data-testid="node-status">
          <span className={`h-2 w-2 rounded-full ${colors.dot} ${tone === "ok" ? "animate-pulse" : ""}`} aria-hidden />
          {label}
        </span>
      </header>
      <dl className={`grid grid-cols-2 gap-x-3 gap-y-2 text-sm ${answering ? "" : "opacity-50"}`}>
        <Figure label="Версия" value={state ? formatNumber(state.version) : "—"} testId="node-version" />
        <Figure label="Последняя репликация" value={lastAck !== null ? formatAgo(lastAck, now) : "—"} />
        <Figure
          label="Лаг p50 / p95 / p99"
          value={state ? `${formatMs(state.replication_lag_ms.p50)} / ${formatMs(state.replication_lag_ms.p95)} / ${formatMs(state.replication_lag_ms.p99)}` : "—"}
          wide
        />
        <Figure label="Очередь на отправку" value={state ? formatNumber(outbox) : "—"} />
        <Figure label="Токенов учтено" value={state ? formatNumber(state.tokens_used) : "—"} />
      </dl>
      {state && Object.keys(state.peers).length > 0 && (
        <ul className="mt-3 space-y-1 border-t border-slate-200 pt-2 text-xs dark:border-slate-800">
          {Object.entries(state.peers).map(([peer, info]) => (
            <li key={peer} className="flex justify-between gap-2">
              <span>→ узел {peer}</span>
              <span className={info.failing ? "text-rose-600 dark:text-rose-400" : "muted"}>
                {info.failing ? `не отвечает (${info.failing})` : info.last_ack_ms ? `подтвердил ${formatAgo(info.last_ack_ms, now)}` : "ещё не подтверждал"}
              </span>
            </li>
          ))}
        </ul>
      )}
      {control && (
        <footer className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-200 pt-3 dark:border-slate-800">
          {ACTIONS[control.process].map((action) => (
            <button
              key={action}
              type="button"
              className={BUTTONS[action].style}
              disabled={control.busy !== undefined}
              onClick={() => control.onAction(action)}
            >
              {control.busy === action ? BUTTONS[action].busy : BUTTONS[action].label}
            </button>
          ))}
          <span className="muted text-xs">{control.pid ? `pid ${control.pid}` : "процесс не запущен"}</span>
          {control.error && (
            <p role="alert" className="w-full text-xs text-rose-600 dark:text-rose-400">
              {control.error}
            </p>
          )}
        </footer>
      )}
    </section>
  );
}

function Figure({ label, value, testId, wide = false }: { label: string; value: string; testId?: string; wide?: boolean }) {
  return (
    <div className={wide ? "col-span-2" : ""}>
      <dt className="muted text-xs">{label}</dt>
      <dd className="tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
