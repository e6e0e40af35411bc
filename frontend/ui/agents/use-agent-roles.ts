"use client";

import { useMemo } from "react";
import { getAgents } from "@/lib/api";
import type { AgentInfo } from "@/lib/types";
import { usePolling } from "@/lib/use-polling";

/** The supervisor's agents (GET /api/agents), polled; empty while unknown. */
export function useAgentListing(intervalMs = 15_000): AgentInfo[] {
  const { data } = usePolling((signal) => getAgents({ signal }), intervalMs);
  return useMemo(() => data?.agents ?? [], [data]);
}

/** agent_id → role name, from the supervisor's list of its agents (empty while unknown). */
export function useAgentRoles(): Map<string, string> {
  const agents = useAgentListing();
  return useMemo(() => new Map(agents.map((a) => [a.agent_id, a.role])), [agents]);
}

/** "agent-3 (корректор стиля)", or just the id when its role is unknown. */
export function agentLabel(agentId: string, roles: Map<string, string>): string {
  const role = roles.get(agentId);
  return role ? `${agentId} (${role})` : agentId;
}

const AGENT_STATES: Record<string, string> = {
  starting: "запускается",
  running: "работает",
  idle: "нечего править",
  stopped: "остановлен",
  failed: "сбой",
  budget_exhausted: "бюджет исчерпан",
};

/** The Russian words for an agent's state ("idle" → "нечего править"). */
export function agentStateLabel(state: string | undefined): string {
  return state ? (AGENT_STATES[state] ?? state) : "—";
}
