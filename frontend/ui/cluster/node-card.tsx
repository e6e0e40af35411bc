import type { NodeAction } from "@/lib/api";
import { VERSIONS_ACC, count, formatAgo, formatMs, formatNumber, formatTime } from "@/lib/format";
import type { PeerLink, ProcessState, TextSessionState } from "@/lib/types";
import { type Remembered, behind, caughtUp, caughtUpText, linkState, versionNow } from "./cluster-model";
import type { NodeView } from "./load-cluster";
import { type Tone, lastReplication, nodeStatus } from "./node-status";
import { SessionVectors } from "./session-vectors";

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
  /** False for a visitor who has not signed in as the operator: the buttons are disabled. */
  allowed: boolean;
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

/** One Text Service node: where it stands, how far it got, how replication is doing. A node
 * that is down keeps its last known version and says how far behind the others it is. */
export function NodeCard({
  node,
  now,
  head,
  remembered,
  control,
  session = null,
}: {
  node: NodeView;
  now: number;
  /** The highest version any serving node reports. */
  head: number | null;
  remembered?: Remembered;
  control?: NodeControl;
  /** This browser's session with the Text Service, shown next to the node's watermark. */
  session?: TextSessionState | null;
}) {
  const base = nodeStatus(node.health, control?.process);
  const { tone, label } =
    base.tone === "ok" && node.state?.catch_up?.state === "catching_up" ? { tone: "warn" as Tone, label: "догоняет остальных" } : base;
  const colors = TONES[tone];
  const state = node.state;
  const answering = tone !== "down";
  const version = versionNow(node) ?? remembered?.version ?? null;
  const lag = behind(version, head);
  const lastAck = lastReplication(state?.peers);
  const outbox = Object.values(state?.outbox ?? {}).reduce((sum, n) => sum + n, 0);
  const caught = caughtUp(state);
  const back = remembered?.back;
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
      {(!answering || lag > 0) && version !== null && (
        <p className={`mb-3 text-sm font-medium ${answering ? "text-amber-700 dark:text-amber-400" : "text-rose-700 dark:text-rose-400"}`} data-testid="node-lag">
          {answering ? `Версия ${formatNumber(version)}` : `Последняя известная версия ${formatNumber(version)}`}
          {lag > 0 ? ` · отстаёт на ${count(lag, VERSIONS_ACC)}` : " · новых версий пока нет"}
          {!answering && remembered?.downSince !== undefined && ` · недоступен ${formatAgo(remembered.downSince, now).replace(" назад", "")}`}
        </p>
      )}
      {tone === "warn" && head !== null && version !== null && head > 0 && (
        <div className="mb-3" data-testid="node-catching-up">
          <div className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
            <div className="h-full bg-amber-500 transition-all" style={{ width: `${Math.min(100, (version / head) * 100).toFixed(1)}%` }} />
          </div>
          <p className="muted mt-1 text-xs">
            догоняет: версия {formatNumber(version)} из {formatNumber(head)}
            {state?.catch_up?.state === "catching_up" && state.catch_up.ops > 0 ? ` · получено ${count(state.catch_up.ops, OPS)}` : ""}
          </p>
        </div>
      )}
      {answering && (caught || (back && back.to > back.from)) && (
        <p className="mb-3 rounded bg-emerald-50 px-2 py-1 text-sm text-emerald-800 dark:bg-emerald-500/10 dark:text-emerald-300" data-testid="node-catchup">
          {caught
            ? `При запуске${caught.at ? ` (${formatTime(caught.at)})` : ""} ${caughtUpText(caught.ops, caught.ms, caught.from)}`
            : `Вернулся после ${formatMs(back!.downMs)} и ${caughtUpText(back!.to - back!.from, null, {})}`}
        </p>
      )}
      <dl className={`grid grid-cols-2 gap-x-3 gap-y-2 text-sm ${answering ? "" : "opacity-50"}`}>
        <Figure label={answering ? "Версия" : "Последняя версия"} value={version !== null ? formatNumber(version) : "—"} testId="node-version" />
        <Figure label="Последняя репликация" value={lastAck !== null ? formatAgo(lastAck, now) : "—"} />
        <Figure
          label="Лаг p50 / p95 / p99"
          value={state ? `${formatMs(state.replication_lag_ms.p50)} / ${formatMs(state.replication_lag_ms.p95)} / ${formatMs(state.replication_lag_ms.p99)}` : "—"}
          wide
        />
        <Figure label="Очередь на отправку" value={state ? formatNumber(outbox) : "—"} />
        <Figure label="Токенов учтено" value={state ? formatNumber(state.tokens_used) : "—"} />
      </dl>
      {state && <SessionVectors watermark={state.watermark} session={session} />}
      {state && Object.keys(state.peers).length > 0 && (
        <ul className="mt-3 space-y-1.5 border-t border-slate-200 pt-2 text-xs dark:border-slate-800" aria-label="Связи с другими узлами">
          {Object.entries(state.peers).map(([peer, link]) => (
            <PeerLine key={peer} peer={peer} link={link} now={now} />
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
              disabled={control.busy !== undefined || !control.allowed}
              title={control.allowed ? undefined : "войдите как оператор"}
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

const OPS: [string, string, string] = ["операция", "операции", "операций"];

/** This node's link to one peer: working (with its lag) or failing (since when, why). */
function PeerLine({ peer, link, now }: { peer: string; link: PeerLink; now: number }) {
  const state = linkState(link);
  const since = link.since ? new Date(link.since).getTime() : null;
  const lag = link.lag_ms;
  return (
    <li className="flex flex-wrap justify-between gap-x-2" data-testid={`link-${peer}`} data-state={state}>
      <span>→ узел {peer}</span>
      {state === "failing" ? (
        <span className="text-rose-600 dark:text-rose-400">
          не доставляет{since !== null && !Number.isNaN(since) ? ` ${formatAgo(since, now).replace(" назад", "")}` : ""}
          {typeof link.failing === "string" && link.failing ? `: ${link.failing}` : ""}
        </span>
      ) : (
        <span className="muted">
          {state === "ok" ? "работает" : "ещё не подтверждал"}
          {lag && lag.p50 !== null ? ` · лаг ${formatMs(lag.p50)} / p95 ${formatMs(lag.p95)}` : ""}
          {link.last_ack_ms ? ` · ответ ${formatAgo(link.last_ack_ms, now)}` : ""}
        </span>
      )}
    </li>
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
