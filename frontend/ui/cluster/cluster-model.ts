/** What the cluster view concludes from one poll of the three nodes, and what it remembers
 * between polls: the last version a node reported before it went down (a dead node reports
 * nothing), and how far it got when it came back. Pure: the view owns the clock. */

import { VERSIONS_ACC, count, formatNumber } from "@/lib/format";
import { nodeLabel } from "@/lib/nodes";
import { type SessionToken, coveredBy, missingFrom } from "@/lib/session-token";
import type { NodeState, PeerLink, ProcessState, TextSessionState } from "@/lib/types";
import type { NodeView } from "./load-cluster";
import type { Tone } from "./node-status";


/** What the view remembers of one node. */
export interface Remembered {
  /** The newest version the node itself reported (or, before that, the analytics' figure). */
  version: number | null;
  /** When the node stopped answering (ms since epoch); undefined while it answers. */
  downSince?: number;
  /** Set when a node that was seen down answers again: the versions it made up. */
  back?: { from: number; to: number; at: number; downMs: number };
}

export type Memory = Record<string, Remembered>;

/** The version a node answers with right now, if it answers at all. */
export function versionNow(node: NodeView): number | null {
  if (node.state) return node.state.version;
  return node.health.httpStatus === 200 && typeof node.health.version === "number" ? node.health.version : null;
}

/** True while a started node fetches what it missed from its peers. */
export function catchingUp(node: NodeView): boolean {
  return (
    (node.health.httpStatus === 503 && node.health.status === "catching_up") ||
    node.state?.catch_up?.state === "catching_up"
  );
}

/** True when the node serves requests: healthy, not stopped or frozen. */
export function serving(node: NodeView, process: ProcessState | undefined): boolean {
  return node.health.httpStatus === 200 && (process === undefined || process === "running");
}

/** The next memory after a poll. `fallback` holds versions from the analytics (node → highest
 * version its events reached), used only for a node never seen answering. */
export function remember(memory: Memory, nodes: NodeView[], now: number, fallback: Record<string, number> = {}): Memory {
  const next: Memory = {};
  for (const node of nodes) {
    const old = memory[node.name] ?? { version: fallback[node.name] ?? null };
    const version = versionNow(node);
    const up = node.health.httpStatus === 200;
    if (!up && !catchingUp(node)) {
      next[node.name] = { version: old.version ?? fallback[node.name] ?? null, downSince: old.downSince ?? now, back: old.back };
      continue;
    }
    let back = old.back;
    if (up && old.downSince !== undefined && old.version !== null && version !== null) {
      back = { from: old.version, to: version, at: now, downMs: now - old.downSince };
    }
    const keepDown = !up ? old.downSince : undefined; // catching up: still counts as the outage
    next[node.name] = { version: version ?? old.version, downSince: keepDown, back };
  }
  return next;
}

/** The highest version any serving node reports. */
export function clusterHead(nodes: NodeView[]): number | null {
  const versions = nodes.filter((n) => n.health.httpStatus === 200).map(versionNow).filter((v): v is number => v !== null);
  return versions.length > 0 ? Math.max(...versions) : null;
}

/** How many versions `version` is behind the head (0 when level or unknown). */
export function behind(version: number | null, head: number | null): number {
  return version === null || head === null ? 0 : Math.max(0, head - version);
}

/** A link's state, for nodes that send it and older ones that send only `failing`. */
export function linkState(link: PeerLink): "ok" | "failing" | "unknown" {
  if (link.state) return link.state;
  if (link.failing) return "failing";
  return link.last_ack_ms ? "ok" : "unknown";
}

/** The failing links among the nodes that answer: "a → b", with the error. */
export function failingLinks(nodes: NodeView[]): { source: string; target: string; message: string }[] {
  const links: { source: string; target: string; message: string }[] = [];
  for (const node of nodes) {
    for (const [peer, link] of Object.entries(node.state?.peers ?? {})) {
      if (linkState(link) === "failing") {
        links.push({ source: node.name, target: peer, message: typeof link.failing === "string" ? link.failing : "" });
      }
    }
  }
  return links;
}

/** The node's start-up catch-up, when it made up anything. */
export function caughtUp(
  state: NodeState | null,
): { ops: number; ms: number | null; from: Record<string, number>; at: string | null } | null {
  const catchUp = state?.catch_up;
  if (!catchUp || catchUp.state !== "done" || catchUp.ops <= 0) return null;
  return { ops: catchUp.ops, ms: catchUp.duration_ms, from: catchUp.from ?? {}, at: catchUp.finished_at };
}

/** «догнал 17 версий за 85 мс (от a: 12, от c: 5)». */
export function caughtUpText(ops: number, ms: number | null, from: Record<string, number>): string {
  const peers = Object.entries(from)
    .filter(([, n]) => n > 0)
    .map(([peer, n]) => `от ${peer}: ${formatNumber(n)}`);
  return `догнал ${count(ops, VERSIONS_ACC)}${ms !== null ? ` за ${formatNumber(Math.round(ms))} мс` : ""}${peers.length > 0 ? ` (${peers.join(", ")})` : ""}`;
}

/** One line that says what is wrong with the cluster, or that nothing is. Never green while a
 * node is down, catching up or a link fails. */
export function clusterSummary(
  nodes: NodeView[],
  memory: Memory,
  processes: Partial<Record<string, ProcessState>> = {},
): { tone: Tone; text: string } {
  const head = clusterHead(nodes);
  const problems: string[] = [];
  let tone: Tone = "ok";
  const live = nodes.filter((n) => serving(n, processes[n.name]));
  for (const node of nodes) {
    if (serving(node, processes[node.name])) continue;
    const label = `Узел ${nodeLabel(node.name)}`;
    if (catchingUp(node)) {
      const version = versionNow(node) ?? memory[node.name]?.version ?? null;
      const lag = behind(version, head);
      problems.push(`${label} догоняет остальных${lag > 0 ? `: отстаёт на ${count(lag, VERSIONS_ACC)}` : ""}.`);
      if (tone === "ok") tone = "warn";
      continue;
    }
    const last = memory[node.name]?.version ?? null;
    const lag = behind(last, head);
    const state = processes[node.name] === "stopped" ? "остановлен" : processes[node.name] === "frozen" ? "заморожен" : "не отвечает";
    problems.push(
      `${label} ${state}${last !== null ? `: последняя версия ${formatNumber(last)}${lag > 0 ? `, отстаёт на ${count(lag, VERSIONS_ACC)}` : ""}` : ""}.`,
    );
    tone = "down";
  }
  const liveNames = new Set<string>(live.map((n) => n.name));
  for (const link of failingLinks(live)) {
    if (!liveNames.has(link.target)) continue; // already said: the target is down
    problems.push(`Связь ${link.source} → ${link.target} не работает${link.message ? `: ${link.message}` : ""}.`);
    if (tone === "ok") tone = "warn";
  }
  const versions = new Set(live.map(versionNow).filter((v): v is number => v !== null));
  if (live.length === 0) return { tone: "down", text: "Ни один узел не отвечает." };
  const only = versions.size === 1 ? [...versions][0] : null;
  const agreement =
    versions.size > 1
      ? `Узлы расходятся (${live.map((n) => `${n.name}: ${versionNow(n) ?? "—"}`).join(" · ")}) — репликация догоняет.`
      : live.length === nodes.length
        ? `Все ${nodes.length} узла работают и согласованы${only !== null ? `: версия ${formatNumber(only)}` : ""}.`
        : `Работают ${live.length} из ${nodes.length}${only !== null ? ` (версия ${formatNumber(only)})` : ""}.`;
  if (versions.size > 1 && tone === "ok") tone = "warn";
  return { tone, text: [...problems, agreement].join(" ") };
}

/** The browser's session as a token, or null before its first document read. */
export function sessionToken(session: TextSessionState | null | undefined): SessionToken | null {
  if (!session?.vector) return null;
  const vector: Record<number, number> = {};
  for (const [origin, seq] of Object.entries(session.vector)) vector[Number(origin)] = seq;
  return { documentId: session.document_id ?? "", vector };
}

/** Whether a node with `watermark` can answer this browser's session at once, in words. */
export function sessionCoverage(
  session: TextSessionState | null | undefined,
  watermark: Record<string, number> | undefined,
): { tone: "ok" | "warn" | "unknown"; text: string } {
  if (!watermark) return { tone: "unknown", text: "узел не сообщает свой вектор" };
  const token = sessionToken(session);
  if (!token) return { tone: "unknown", text: "ваш сеанс ещё ничего не читал: откройте «Документ»" };
  if (coveredBy(token, watermark)) return { tone: "ok", text: "✓ покрывает ваш сеанс: ответит сразу" };
  const missing = Object.entries(missingFrom(token, watermark))
    .map(([node, n]) => `от ${node} — ${formatNumber(n)}`)
    .join(", ");
  return { tone: "warn", text: `не хватает операций вашего сеанса (${missing}): сначала догонит или уступит другому узлу` };
}

/** The serving nodes whose watermark covers the session (their names), null without one. */
export function coveringNodes(nodes: NodeView[], session: TextSessionState | null | undefined): string[] | null {
  const token = sessionToken(session);
  if (!token) return null;
  return nodes.filter((n) => n.health.httpStatus === 200 && n.state?.watermark && coveredBy(token, n.state.watermark)).map((n) => n.name);
}
