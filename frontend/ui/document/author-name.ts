/** "agent-3 (корректор стиля)"; the operator (who wrote the initial text) by name. */
export function authorName(agentId: string, roles: Map<string, string>): string {
  if (!agentId) return "автор неизвестен";
  if (agentId === "operator") return "оператор";
  const role = roles.get(agentId);
  return role ? `${agentId} (${role})` : agentId;
}
