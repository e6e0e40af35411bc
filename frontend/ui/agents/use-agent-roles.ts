"use client";

import { useMemo } from "react";
import { getAgents } from "@/lib/api";
import { usePolling } from "@/lib/use-polling";

/** agent_id → role name, from the supervisor's list of its agents (empty while unknown). */
export function useAgentRoles(): Map<string, string> {
  const { data } = usePolling((signal) => getAgents({ signal }), 15_000);
  return useMemo(() => new Map((data?.agents ?? []).map((a) => [a.agent_id, a.role])), [data]);
}

/** "agent-3 (корректор стиля)", or just the id when its role is unknown. */
export function agentLabel(agentId: string, roles: Map<string, string>): string {
  const role = roles.get(agentId);
  return role ? `${agentId} (${role})` : agentId;
}
