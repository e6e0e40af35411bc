/** Shapes of the Chorus API as the dashboard uses them (see text_node/schemas.py, chat/api.py,
 * analytics/schemas.py, agents/supervisor/app.py). Only the fields the UI reads are listed.
 * tests/contracts checks each type `lib/api.ts` requests against the service's OpenAPI schema:
 * keep to interfaces, type aliases, unions, `T[]`, inline objects and `Record<K, V>`. */

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

/** p50/p95 of a duration in ms; null while nothing was measured. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
}

export interface WorstLink {
  source: string;
  target: string;
  p95: number | null;
}

export interface Metrics {
  period: Period;
  total_edits: number;
  total_tokens: number;
  active_agents: number;
  avg_latency_ms: number;
  /** The nodes' time from an edit's arrival to its commit (newer analytics only). */
  edit_latency_ms?: Percentiles;
  /** The agents' whole cycle: read, think, propose (when the agents report it). */
  cycle_ms?: Percentiles;
  edits_per_minute: number;
  token_usage_by_time: { timestamp: string; tokens: number }[];
  edits_by_time: { timestamp: string; edits: number }[];
  active_agents_by_time: { timestamp: string; agents: number }[];
  latency_by_time: { timestamp: string; avg_latency_ms: number; request_ms?: number | null }[];
  edits_by_status: { accepted: number; rejected: number; superseded: number };
  budget: Budget;
  agents: AgentFigures[];
  /** Each node as its events saw it: the highest version it reached in the window. */
  nodes?: { node: string; version: number | null; last_event: string; recovered: number }[];
  replication: {
    count: number;
    failed: number;
    lag_ms: { p50: number | null; p95: number | null; p99: number | null; worst_link?: WorstLink | null };
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
  peers: Record<string, PeerLink>;
  /** Per origin node ("0" = a, "1" = b, "2" = c), the highest contiguous sequence held: the
   * vector a session token is compared with (newer nodes only). */
  watermark?: Record<string, number>;
  /** The start-up catch-up (newer nodes only). */
  catch_up?: CatchUp | null;
}

/** One node's view of its link to a peer. Older nodes send only last_ack_ms and failing. */
export interface PeerLink {
  last_ack_ms: number | null;
  /** The Russian error text while the link fails (older nodes: a count); null when fine. */
  failing: string | number | null;
  state?: "ok" | "failing" | "unknown";
  since?: string | null;
  lag_ms?: Percentiles;
}

export interface CatchUp {
  state: "catching_up" | "done";
  ops: number;
  duration_ms: number | null;
  from: Record<string, number>;
  finished_at: string | null;
}

export type EventSeverity = "error" | "warning" | "ok" | "info";

/** One cluster event of GET /api/analytics/timeline. */
export interface TimelineEvent {
  timestamp: string;
  kind: string;
  node: string | null;
  peer: string | null;
  title: string;
  detail: string | null;
  severity: EventSeverity;
}

export interface Timeline {
  events: TimelineEvent[];
  generated_at: string;
}

/** Characters [start, end) of a version's text, all inserted by one edit. */
export interface AuthorRun {
  start: number;
  end: number;
  edit_id: string;
  agent_id: string;
  kind: string;
  version: number;
  timestamp: string;
}

export interface Authorship {
  document_id: string;
  version: number;
  node: string;
  text: string;
  runs: AuthorRun[];
}

export type ProcessState = "running" | "stopped" | "frozen";

export interface ClusterControl {
  mode: string;
  nodes: { name: NodeName; location: string; state: ProcessState; pid: number | null }[];
}

/** GET /session (this dashboard's own route): the browser's session with the Text Service;
 * nulls before its first document read. */
export interface TextSessionState {
  token: string | null;
  document_id: string | null;
  vector: Record<string, number> | null;
}
