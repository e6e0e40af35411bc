/** Shapes of the Chorus API as the dashboard uses them (see text_node/schemas.py, chat/api.py,
 * analytics/schemas.py, agents/supervisor/app.py). Only the fields the UI reads are listed. */

export type NodeName = "a" | "b" | "c";

export interface DocumentState {
  version: number;
  text: string;
  timestamp: string;
  document_id: string | null;
  version_key: number;
  topic: string;
  node: string;
}

export interface InitResult {
  document_id: string;
  status: string;
  version: number;
  node: string;
}

export type EditStatus = "accepted" | "rejected" | "superseded" | "pending";

export interface Edit {
  edit_id: string;
  agent_id: string;
  proposed_text: string;
  position: string;
  tokens_used: number;
  status: EditStatus;
  created_at: string;
  node: string;
  version_key: number;
  base_version: number;
  version: number | null;
  reason: string;
}

export interface EditPage {
  edits: Edit[];
  total: number;
  limit: number;
  offset: number;
}

export interface VersionEntry {
  version: number;
  version_key: number;
  edit_id: string;
  agent_id: string;
  kind: string;
  status: EditStatus;
  tokens_used: number;
  node: string;
  timestamp: string;
}

export interface VersionList {
  document_id: string;
  total: number;
  versions: VersionEntry[];
}

export interface ChatMessage {
  agent_id: string;
  message: string;
  timestamp: string;
  message_id: string;
}

export type Period = "1h" | "24h" | "7d";

export interface Budget {
  limit: number | null;
  used: number | null;
  exceeded: boolean;
}

export interface AgentFigures {
  agent_id: string;
  role: string | null;
  edits: number;
  tokens: number;
  rejected: number;
}

export interface Metrics {
  period: Period;
  total_edits: number;
  total_tokens: number;
  active_agents: number;
  avg_latency_ms: number;
  edits_per_minute: number;
  token_usage_by_time: { timestamp: string; tokens: number }[];
  edits_by_time: { timestamp: string; edits: number }[];
  active_agents_by_time: { timestamp: string; agents: number }[];
  latency_by_time: { timestamp: string; avg_latency_ms: number }[];
  edits_by_status: { accepted: number; rejected: number; superseded: number };
  budget: Budget;
  agents: AgentFigures[];
  replication: {
    count: number;
    failed: number;
    lag_ms: { p50: number | null; p95: number | null; p99: number | null };
  };
  conflicts: number;
  bucket_seconds: number;
}

export interface AgentInfo {
  agent_id: string;
  role: string;
  state?: string;
  accepted?: number;
  rejected?: number;
  tokens?: number;
  last_error?: string | null;
}

export interface AgentListing {
  running: boolean;
  count: number;
  agents: AgentInfo[];
}

export interface NodeHealth {
  /** HTTP status of GET /nodes/{n}/health; 0 when nothing answered at all. */
  httpStatus: number;
  status: string;
  version?: number;
}

export interface NodeState {
  node: string;
  location: string;
  ready: boolean;
  database: string;
  document_id: string | null;
  version: number;
  timestamp: string;
  tokens_used: number;
  outbox: Record<string, number>;
  replication_lag_ms: { p50: number | null; p95: number | null; p99: number | null; count: number };
  peers: Record<string, { last_ack_ms: number | null; failing: number | null }>;
}

export type ProcessState = "running" | "stopped" | "frozen";

export interface ClusterControl {
  mode: string;
  nodes: { name: NodeName; location: string; state: ProcessState; pid: number | null }[];
}
