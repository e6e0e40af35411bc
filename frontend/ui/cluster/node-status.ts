import type { NodeHealth, ProcessState } from "@/lib/types";

export type Tone = "ok" | "warn" | "down";

/** What a person should read off a node: green, amber or red, and why. */
export function nodeStatus(health: NodeHealth, process: ProcessState | undefined): { tone: Tone; label: string } {
  if (process === "stopped") return { tone: "down", label: "остановлен" };
  if (process === "frozen") return { tone: "down", label: "заморожен (SIGSTOP)" };
  if (health.httpStatus === 503 && health.status === "catching_up") return { tone: "warn", label: "догоняет остальных" };
  if (health.httpStatus === 200) return { tone: "ok", label: "работает" };
  if (health.httpStatus === 503 && health.status === "unavailable") return { tone: "down", label: "база данных недоступна" };
  return { tone: "down", label: "не отвечает" };
}

/** The newest acknowledgement any peer gave this node's pushes (ms since epoch), if any. */
export function lastReplication(peers: Record<string, { last_ack_ms: number | null }> | undefined): number | null {
  const acks = Object.values(peers ?? {})
    .map((p) => p.last_ack_ms)
    .filter((v): v is number => typeof v === "number");
  return acks.length > 0 ? Math.max(...acks) : null;
}
